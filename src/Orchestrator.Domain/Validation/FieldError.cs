using System.Globalization;
using System.Text;

namespace Orchestrator.Domain.Validation;

/// <summary>The kinds of field error Kubernetes reports (k8s.io/apimachinery/pkg/util/validation/field).</summary>
public enum FieldErrorType
{
    Required,
    Invalid,
    NotSupported,
    Duplicate,
    TooLong,
    Forbidden,
    NotFound,
}

/// <summary>
/// One problem with one field of an object, as Kubernetes reports it in a <c>Status</c>'s
/// <c>details.causes</c>. <see cref="BadValue"/> is the offending value, printed in
/// <see cref="Message"/> for the types that show it (Invalid, NotSupported, Duplicate).
/// </summary>
public sealed record FieldError(string Field, FieldErrorType Type, string Detail)
{
    /// <summary>
    /// The rejected value (a string, number or bool), printed after the type for Invalid,
    /// NotSupported and Duplicate; when null nothing is printed there.
    /// </summary>
    public object? BadValue { get; init; }

    public static FieldError Required(string field, string detail = "") => new(field, FieldErrorType.Required, detail);

    public static FieldError Invalid(string field, object? value, string detail) =>
        new(field, FieldErrorType.Invalid, detail) { BadValue = value };

    public static FieldError NotSupported(string field, object? value, IEnumerable<string> supported) =>
        new(field, FieldErrorType.NotSupported,
            "supported values: " + string.Join(", ", supported.Select(s => Quote(s))))
        { BadValue = value };

    public static FieldError Duplicate(string field, object? value) =>
        new(field, FieldErrorType.Duplicate, "") { BadValue = value };

    public static FieldError TooLong(string field, int maxLength) =>
        new(field, FieldErrorType.TooLong, $"may not be more than {maxLength.ToString(CultureInfo.InvariantCulture)} bytes");

    public static FieldError Forbidden(string field, string detail) => new(field, FieldErrorType.Forbidden, detail);

    /// <summary>The field names something that does not exist (e.g. a volume mount naming no volume).</summary>
    public static FieldError NotFound(string field, object? value) => new(field, FieldErrorType.NotFound, "") { BadValue = value };

    /// <summary>The <c>reason</c> of a Kubernetes <c>StatusCause</c> for this error.</summary>
    public string Reason => ReasonOf(Type);

    /// <summary>Maps an error type to the Kubernetes <c>StatusCause.reason</c> string.</summary>
    public static string ReasonOf(FieldErrorType type) => type switch
    {
        FieldErrorType.Required => "FieldValueRequired",
        FieldErrorType.Invalid => "FieldValueInvalid",
        FieldErrorType.NotSupported => "FieldValueNotSupported",
        FieldErrorType.Duplicate => "FieldValueDuplicate",
        FieldErrorType.TooLong => "FieldValueTooLong",
        FieldErrorType.Forbidden => "FieldValueForbidden",
        FieldErrorType.NotFound => "FieldValueNotFound",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown field error type"),
    };

    /// <summary>The human-readable name of the type, as Kubernetes prints it.</summary>
    public static string TitleOf(FieldErrorType type) => type switch
    {
        FieldErrorType.Required => "Required value",
        FieldErrorType.Invalid => "Invalid value",
        FieldErrorType.NotSupported => "Unsupported value",
        FieldErrorType.Duplicate => "Duplicate value",
        FieldErrorType.TooLong => "Too long",
        FieldErrorType.Forbidden => "Forbidden",
        FieldErrorType.NotFound => "Not found",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown field error type"),
    };

    /// <summary>The message without the field path, e.g. <c>Invalid value: "Foo_": a lowercase ...</c>.</summary>
    public string Body
    {
        get
        {
            // Without a BadValue the value (if any) is expected to lead the Detail already.
            var body = BadValue is not null
                && Type is FieldErrorType.Invalid or FieldErrorType.NotSupported or FieldErrorType.Duplicate or FieldErrorType.NotFound
                ? $"{TitleOf(Type)}: {FormatValue(BadValue)}"
                : TitleOf(Type);
            return Detail.Length == 0 ? body : $"{body}: {Detail}";
        }
    }

    /// <summary>The full message, e.g. <c>spec.containers[0].image: Required value</c>.</summary>
    public string Message => $"{Field}: {Body}";

    public override string ToString() => Message;

    private static string FormatValue(object value) => value switch
    {
        string s => Quote(s),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Quotes a string the way Go's <c>%q</c> does for printable text.</summary>
    internal static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}

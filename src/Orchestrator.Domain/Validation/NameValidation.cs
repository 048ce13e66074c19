using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Orchestrator.Domain.Validation;

/// <summary>Which rule an object's <c>metadata.name</c> must follow (it differs per kind).</summary>
public enum NameRule
{
    /// <summary>Most kinds (Pod, ReplicaSet, Deployment, ConfigMap, Secret, Node, Event).</summary>
    Dns1123Subdomain,

    /// <summary>Namespace.</summary>
    Dns1123Label,

    /// <summary>Service.</summary>
    Dns1035Label,

    /// <summary>Anything that can be a URL path segment (not '.', '..', no '/' or '%').</summary>
    PathSegment,
}

/// <summary>
/// The name and metadata validators of k8s.io/apimachinery (util/validation and
/// api/validation/objectmeta.go), with Kubernetes' wording. The <c>...Messages</c> methods return
/// bare messages; the others wrap them in <see cref="FieldError"/>s for a field path. This file
/// holds the name formats; <c>NameValidation.ObjectMeta.cs</c> the checks of a whole
/// <c>metadata</c> (labels, annotations, owner references, finalizers).
/// </summary>
public static partial class NameValidation
{
    public const int Dns1123LabelMaxLength = 63;
    public const int Dns1123SubdomainMaxLength = 253;
    public const int Dns1035LabelMaxLength = 63;
    public const int QualifiedNameMaxLength = 63;
    public const int LabelValueMaxLength = 63;

    /// <summary>Total size of all annotation keys and values: 256 KiB.</summary>
    public const int TotalAnnotationSizeLimitBytes = 256 * 1024;

    public const string Dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    public const string Dns1123SubdomainFormat = Dns1123LabelFormat + "(\\." + Dns1123LabelFormat + ")*";
    public const string Dns1035LabelFormat = "[a-z]([-a-z0-9]*[a-z0-9])?";
    public const string QualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    public const string LabelValueFormat = "(" + QualifiedNameFormat + ")?";

    private const string Dns1123LabelErrorMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    private const string Dns1123SubdomainErrorMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    private const string Dns1035LabelErrorMessage =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
    private const string QualifiedNameErrorMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string LabelValueErrorMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    // \z rather than $: .NET's $ also matches before a final newline.
    [GeneratedRegex("^" + Dns1123LabelFormat + "\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123LabelRegex();

    [GeneratedRegex("^" + Dns1123SubdomainFormat + "\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123SubdomainRegex();

    [GeneratedRegex("^" + Dns1035LabelFormat + "\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1035LabelRegex();

    [GeneratedRegex("^" + QualifiedNameFormat + "\\z", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedNameRegex();

    [GeneratedRegex("^" + LabelValueFormat + "\\z", RegexOptions.CultureInvariant)]
    private static partial Regex LabelValueRegex();

    // ---- bare messages (util/validation) ----

    public static IReadOnlyList<string> Dns1123LabelMessages(string value)
    {
        var errors = new List<string>();
        if (ByteLength(value) > Dns1123LabelMaxLength)
            errors.Add(MaxLenError(Dns1123LabelMaxLength));
        if (!Dns1123LabelRegex().IsMatch(value))
        {
            // A valid subdomain that is not a valid label (length already checked) must contain dots.
            errors.Add(Dns1123SubdomainRegex().IsMatch(value)
                ? "must not contain dots"
                : RegexError(Dns1123LabelErrorMessage, Dns1123LabelFormat, "my-name", "123-abc"));
        }
        return errors;
    }

    public static IReadOnlyList<string> Dns1123SubdomainMessages(string value)
    {
        var errors = new List<string>();
        if (ByteLength(value) > Dns1123SubdomainMaxLength)
            errors.Add(MaxLenError(Dns1123SubdomainMaxLength));
        if (!Dns1123SubdomainRegex().IsMatch(value))
            errors.Add(RegexError(Dns1123SubdomainErrorMessage, Dns1123SubdomainFormat, "example.com"));
        return errors;
    }

    public static IReadOnlyList<string> Dns1035LabelMessages(string value)
    {
        var errors = new List<string>();
        if (ByteLength(value) > Dns1035LabelMaxLength)
            errors.Add(MaxLenError(Dns1035LabelMaxLength));
        if (!Dns1035LabelRegex().IsMatch(value))
            errors.Add(RegexError(Dns1035LabelErrorMessage, Dns1035LabelFormat, "my-name", "abc-123"));
        return errors;
    }

    /// <summary>Label and annotation keys: <c>[prefix/]name</c>, prefix a DNS subdomain, name at most 63 characters.</summary>
    public static IReadOnlyList<string> QualifiedNameMessages(string value)
    {
        var errors = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                var prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0)
                    errors.Add("prefix part " + EmptyError());
                else
                    errors.AddRange(Dns1123SubdomainMessages(prefix).Select(m => "prefix part " + m));
                break;
            default:
                errors.Add("a qualified name " + RegexError(QualifiedNameErrorMessage, QualifiedNameFormat, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errors;
        }

        if (name.Length == 0)
            errors.Add("name part " + EmptyError());
        else if (ByteLength(name) > QualifiedNameMaxLength)
            errors.Add("name part " + MaxLenError(QualifiedNameMaxLength));
        if (!QualifiedNameRegex().IsMatch(name))
            errors.Add("name part " + RegexError(QualifiedNameErrorMessage, QualifiedNameFormat, "MyName", "my.name", "123-abc"));
        return errors;
    }

    public static IReadOnlyList<string> LabelValueMessages(string value)
    {
        var errors = new List<string>();
        if (ByteLength(value) > LabelValueMaxLength)
            errors.Add(MaxLenError(LabelValueMaxLength));
        if (!LabelValueRegex().IsMatch(value))
            errors.Add(RegexError(LabelValueErrorMessage, LabelValueFormat, "MyValue", "my_value", "12345"));
        return errors;
    }

    /// <summary>Names usable as one URL path segment (apimachinery path.IsValidPathSegmentName).</summary>
    public static IReadOnlyList<string> PathSegmentNameMessages(string value)
    {
        if (value is "." or "..")
            return [$"may not be '{value}'"];
        var errors = new List<string>();
        foreach (var illegal in new[] { "/", "%" })
        {
            if (value.Contains(illegal, StringComparison.Ordinal))
                errors.Add($"may not contain '{illegal}'");
        }
        return errors;
    }

    /// <summary>Validates a name, or a generateName prefix (whose trailing '-' is allowed), by a rule.</summary>
    public static IReadOnlyList<string> NameMessages(string name, NameRule rule, bool prefix = false)
    {
        if (prefix && rule != NameRule.PathSegment && name.EndsWith('-'))
            name = name[..^1] + "a";
        return rule switch
        {
            NameRule.Dns1123Subdomain => Dns1123SubdomainMessages(name),
            NameRule.Dns1123Label => Dns1123LabelMessages(name),
            NameRule.Dns1035Label => Dns1035LabelMessages(name),
            NameRule.PathSegment => PathSegmentNameMessages(name),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown name rule"),
        };
    }

    // ---- field errors ----

    public static IReadOnlyList<FieldError> IsDns1123Subdomain(string value, string path) => Wrap(Dns1123SubdomainMessages(value), value, path);

    public static IReadOnlyList<FieldError> IsDns1123Label(string value, string path) => Wrap(Dns1123LabelMessages(value), value, path);

    public static IReadOnlyList<FieldError> IsDns1035Label(string value, string path) => Wrap(Dns1035LabelMessages(value), value, path);

    public static IReadOnlyList<FieldError> IsQualifiedName(string value, string path) => Wrap(QualifiedNameMessages(value), value, path);

    public static IReadOnlyList<FieldError> IsValidLabelValue(string value, string path) => Wrap(LabelValueMessages(value), value, path);

    // ---- helpers ----

    internal static string MaxLenError(int length) =>
        $"must be no more than {length.ToString(CultureInfo.InvariantCulture)} characters";

    internal static string EmptyError() => "must be non-empty";

    internal static string RegexError(string message, string format, params string[] examples)
    {
        if (examples.Length == 0)
            return $"{message} (regex used for validation is '{format}')";
        var sb = new StringBuilder(message).Append(" (e.g. ");
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0)
                sb.Append(" or ");
            sb.Append('\'').Append(examples[i]).Append("', ");
        }
        return sb.Append("regex used for validation is '").Append(format).Append("')").ToString();
    }

    private static List<FieldError> Wrap(IReadOnlyList<string> messages, string value, string path) =>
        messages.Select(m => FieldError.Invalid(path, value, m)).ToList();

    private static bool TryGetString(JsonNode? node, out string value)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            value = v.GetValue<string>();
            return true;
        }
        value = null!;
        return false;
    }

    /// <summary>A value to report: strings as themselves (quoted when printed), anything else as raw JSON.</summary>
    internal static object DescribeNode(JsonNode? node) => node switch
    {
        null => new RawJson("null"),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => new RawJson(node.ToJsonString()),
    };

    /// <summary>Prints unquoted in a <see cref="FieldError"/> message.</summary>
    private sealed record RawJson(string Json)
    {
        public override string ToString() => Json;
    }
}

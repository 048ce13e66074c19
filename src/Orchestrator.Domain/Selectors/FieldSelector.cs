using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Domain.Selectors;

/// <summary>The operators of a field selector term.</summary>
public enum FieldOperator
{
    Equals,
    NotEquals,
}

/// <summary>One term of a field selector: <c>Field=Value</c> or <c>Field!=Value</c>.</summary>
public sealed record FieldRequirement(string Field, FieldOperator Operator, string Value)
{
    /// <summary>Whether the object's value at <see cref="Field"/> (missing = "") satisfies this term.</summary>
    public bool Matches(JsonObject obj)
    {
        var actual = FieldSelector.ValueOf(obj, Field);
        var equal = string.Equals(actual, Value, StringComparison.Ordinal);
        return Operator == FieldOperator.Equals ? equal : !equal;
    }

    /// <summary>The canonical form, with ',', '=' and '\' in the value escaped by '\'.</summary>
    public override string ToString() =>
        $"{Field}{(Operator == FieldOperator.Equals ? "=" : "!=")}{FieldSelector.EscapeValue(Value)}";
}

/// <summary>
/// A Kubernetes field selector (k8s.io/apimachinery/pkg/fields): comma-separated terms
/// <c>f=v</c>, <c>f==v</c>, <c>f!=v</c>, all of which must hold. Fields are dotted paths
/// (<c>metadata.name</c>, <c>spec.nodeName</c>, <c>status.phase</c>, <c>involvedObject.name</c>)
/// evaluated generically on the JSON object; a missing field reads as the empty string, as in
/// Kubernetes (so <c>spec.nodeName=</c> selects unscheduled pods). Values may escape ',', '=' and
/// '\' with a backslash. Which fields a kind supports is for the caller to check, via
/// <see cref="Requirements"/>. Selectors compare by value (their sorted terms).
/// </summary>
public sealed class FieldSelector : IEquatable<FieldSelector>
{
    private FieldSelector(IReadOnlyList<FieldRequirement> requirements) => Requirements = requirements;

    /// <summary>The selector that matches every object.</summary>
    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The terms, sorted by their text as Kubernetes sorts them.</summary>
    public IReadOnlyList<FieldRequirement> Requirements { get; }

    public bool IsEverything => Requirements.Count == 0;

    /// <summary>
    /// Fields whose missing value reads as something other than "" because Kubernetes' field
    /// functions print a Go zero value (a boolean that is false).
    /// </summary>
    private static readonly Dictionary<string, string> ZeroValues = new(StringComparer.Ordinal)
    {
        ["spec.unschedulable"] = "false",
    };

    /// <summary>Parses the string form; null or blank is <see cref="Everything"/>.</summary>
    /// <exception cref="SelectorParseException">A term without an operator, an empty or malformed field path, or a bad escape.</exception>
    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return Everything;

        var terms = SplitTerms(text);
        terms.Sort((a, b) => string.CompareOrdinal(a.Text, b.Text));
        var requirements = new List<FieldRequirement>();
        foreach (var (term, position) in terms)
        {
            if (term.Trim().Length == 0)
                continue;
            if (!SplitTerm(term, out var lhs, out var op, out var rhs, out var opIndex))
                throw new SelectorParseException(
                    $"invalid selector: '{text}'; can't understand '{term}': expected a field, one of '=', '==' or '!=' and a value (at position {position.ToString(CultureInfo.InvariantCulture)})",
                    position);

            var field = lhs.Trim();
            var fieldError = FieldPathError(field);
            if (fieldError is not null)
                throw new SelectorParseException(
                    $"invalid selector: '{text}'; can't understand '{term}': {fieldError} (at position {position.ToString(CultureInfo.InvariantCulture)})",
                    position);

            var valuePosition = position + opIndex + (op == FieldOperator.NotEquals || term.AsSpan(opIndex).StartsWith("==") ? 2 : 1);
            var value = UnescapeValue(rhs.Trim(), text, valuePosition);
            requirements.Add(new FieldRequirement(field, op, value));
        }
        return requirements.Count == 0 ? Everything : new FieldSelector(requirements);
    }

    /// <summary>Like <see cref="Parse"/>, returning false (and the reason) instead of throwing.</summary>
    public static bool TryParse(string? text, out FieldSelector selector, out string error)
    {
        try
        {
            selector = Parse(text);
            error = "";
            return true;
        }
        catch (SelectorParseException e)
        {
            selector = Everything;
            error = e.Message;
            return false;
        }
    }

    /// <summary>Whether every term holds for the object.</summary>
    public bool Matches(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(obj))
                return false;
        }
        return true;
    }

    /// <summary>
    /// The value the selector requires <paramref name="field"/> to equal, if it has an <c>=</c> term
    /// for it (useful to narrow a lookup, e.g. pods by <c>spec.nodeName</c>).
    /// </summary>
    public bool RequiresExactMatch(string field, out string value)
    {
        foreach (var requirement in Requirements)
        {
            if (requirement.Operator == FieldOperator.Equals && string.Equals(requirement.Field, field, StringComparison.Ordinal))
            {
                value = requirement.Value;
                return true;
            }
        }
        value = "";
        return false;
    }

    /// <summary>The canonical string form ("" for <see cref="Everything"/>).</summary>
    public override string ToString() => string.Join(",", Requirements);

    public bool Equals(FieldSelector? other) => other is not null && Requirements.SequenceEqual(other.Requirements);

    public override bool Equals(object? obj) => Equals(obj as FieldSelector);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var requirement in Requirements)
            hash.Add(requirement);
        return hash.ToHashCode();
    }

    /// <summary>
    /// The string value of a dotted field path in an object: strings as they are, numbers as their
    /// JSON text, booleans as "true"/"false"; missing, null, objects and lists as "" (or the Go zero
    /// value Kubernetes prints for the few fields in <see cref="ZeroValues"/>).
    /// </summary>
    public static string ValueOf(JsonObject obj, string field)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(field);
        JsonNode? node = obj;
        foreach (var segment in field.Split('.'))
        {
            if (node is not JsonObject current || !current.TryGetPropertyValue(segment, out node))
            {
                node = null;
                break;
            }
        }
        if (node is JsonValue value)
        {
            switch (value.GetValueKind())
            {
                case JsonValueKind.String: return value.GetValue<string>();
                case JsonValueKind.True: return "true";
                case JsonValueKind.False: return "false";
                case JsonValueKind.Number: return value.ToJsonString();
            }
        }
        return ZeroValues.GetValueOrDefault(field, "");
    }

    /// <summary>Escapes '\', ',' and '=' in a value with a backslash.</summary>
    public static string EscapeValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is '\\' or ',' or '=')
                sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static string? FieldPathError(string field)
    {
        if (field.Length == 0)
            return "the field path is empty";
        foreach (var segment in field.Split('.'))
        {
            if (segment.Length == 0)
                return $"the field path '{field}' has an empty segment";
            foreach (var c in segment)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-')
                    return $"the field path '{field}' contains '{c}'; field paths are dot-separated names of letters, digits, '_' and '-'";
            }
        }
        return null;
    }

    /// <summary>Splits on commas not escaped by a backslash, keeping each term's start position.</summary>
    private static List<(string Text, int Position)> SplitTerms(string text)
    {
        var terms = new List<(string, int)>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                continue;
            }
            if (text[i] == ',')
            {
                terms.Add((text[start..i], start));
                start = i + 1;
            }
        }
        terms.Add((text[start..], start));
        return terms;
    }

    /// <summary>Finds the first operator ('!=', '==' or '=') in a term, as Kubernetes' splitTerm does.</summary>
    private static bool SplitTerm(string term, out string lhs, out FieldOperator op, out string rhs, out int opIndex)
    {
        for (var i = 0; i < term.Length; i++)
        {
            var rest = term.AsSpan(i);
            if (rest.StartsWith("!="))
            {
                (lhs, op, rhs, opIndex) = (term[..i], FieldOperator.NotEquals, term[(i + 2)..], i);
                return true;
            }
            if (rest.StartsWith("=="))
            {
                (lhs, op, rhs, opIndex) = (term[..i], FieldOperator.Equals, term[(i + 2)..], i);
                return true;
            }
            if (rest.StartsWith("="))
            {
                (lhs, op, rhs, opIndex) = (term[..i], FieldOperator.Equals, term[(i + 1)..], i);
                return true;
            }
        }
        (lhs, op, rhs, opIndex) = ("", FieldOperator.Equals, "", -1);
        return false;
    }

    private static string UnescapeValue(string value, string text, int position)
    {
        if (!value.Contains('\\', StringComparison.Ordinal) && !value.Contains('=', StringComparison.Ordinal))
            return value;
        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\\')
            {
                if (i + 1 < value.Length && value[i + 1] is '\\' or ',' or '=')
                {
                    sb.Append(value[++i]);
                    continue;
                }
                throw new SelectorParseException(
                    $"invalid selector: '{text}'; invalid escape sequence in value '{value}': only '\\\\', '\\,' and '\\=' are allowed (at position {position.ToString(CultureInfo.InvariantCulture)})",
                    position);
            }
            if (c == '=')
                throw new SelectorParseException(
                    $"invalid selector: '{text}'; unescaped '=' in value '{value}': write it as '\\=' (at position {position.ToString(CultureInfo.InvariantCulture)})",
                    position);
            sb.Append(c);
        }
        return sb.ToString();
    }
}

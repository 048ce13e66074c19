using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Selectors;

/// <summary>
/// A Kubernetes label selector: an AND of <see cref="Requirement"/>s, parsed from the string form
/// (<c>kubectl get -l</c>, <c>?labelSelector=</c>) or built from the object form
/// (<c>metav1.LabelSelector</c> in ReplicaSet/Deployment specs) or a plain map (Service selectors).
/// Immutable; <see cref="ToString"/> gives the canonical string form (requirements sorted by key,
/// values sorted), which <see cref="Parse"/> reads back to an equal selector. Selectors compare by
/// value (their requirements), so records holding one compare as expected.
/// </summary>
public sealed class LabelSelector : IEquatable<LabelSelector>
{
    private readonly bool _nothing;

    private LabelSelector(IReadOnlyList<Requirement> requirements, bool nothing = false)
    {
        Requirements = requirements;
        _nothing = nothing;
    }

    /// <summary>The selector that matches every object (the empty string, or <c>{}</c>).</summary>
    public static LabelSelector Everything { get; } = new([]);

    /// <summary>The selector that matches no object (a null <c>metav1.LabelSelector</c>). It has no string form.</summary>
    public static LabelSelector Nothing { get; } = new([], nothing: true);

    /// <summary>The requirements, sorted by key (stable).</summary>
    public IReadOnlyList<Requirement> Requirements { get; }

    /// <summary>True when the selector has no requirements and so matches every object.</summary>
    public bool IsEverything => !_nothing && Requirements.Count == 0;

    /// <summary>True for <see cref="Nothing"/>.</summary>
    public bool IsNothing => _nothing;

    /// <summary>
    /// Parses the string form (k8s.io/apimachinery/pkg/labels): comma-separated requirements
    /// <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a in (x,y)</c>, <c>a notin (x)</c>, <c>a</c>,
    /// <c>!a</c>, <c>a&gt;1</c>, <c>a&lt;1</c>. Whitespace between tokens is ignored; null or
    /// blank text is <see cref="Everything"/>.
    /// </summary>
    /// <exception cref="SelectorParseException">Bad syntax, or an invalid key or value.</exception>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return Everything;
        var requirements = new LabelSelectorParser(text).Parse();
        return FromSortedOrNot(requirements);
    }

    /// <summary>Like <see cref="Parse"/>, returning false (and the reason) instead of throwing.</summary>
    public static bool TryParse(string? text, out LabelSelector selector, out string error)
    {
        try
        {
            selector = Parse(text);
            error = "";
            return true;
        }
        catch (SelectorParseException e)
        {
            selector = Nothing;
            error = e.Message;
            return false;
        }
    }

    /// <summary>
    /// Builds a selector from the object form <c>{matchLabels: {k: v}, matchExpressions: [{key,
    /// operator: In|NotIn|Exists|DoesNotExist, values}]}</c>. As in Kubernetes, null means
    /// <see cref="Nothing"/> and an empty object means <see cref="Everything"/>.
    /// </summary>
    /// <exception cref="SelectorParseException">An invalid operator, key or value, or values missing or not allowed.</exception>
    public static LabelSelector FromLabelSelector(JsonObject? metav1LabelSelector)
    {
        if (metav1LabelSelector is null)
            return Nothing;
        var requirements = new List<Requirement>();

        switch (metav1LabelSelector["matchLabels"])
        {
            case null:
                break;
            case JsonObject matchLabels:
                foreach (var (key, node) in matchLabels)
                {
                    var path = $"matchLabels[{key}]";
                    if (!TryGetString(node, out var value))
                        throw new SelectorParseException(FieldError.Invalid(path, Describe(node), "must be a string").Message);
                    requirements.Add(Requirement.Create(key, SelectorOperator.Equals, [value], path));
                }
                break;
            default:
                throw new SelectorParseException(
                    FieldError.Invalid("matchLabels", Describe(metav1LabelSelector["matchLabels"]), "must be a map of strings").Message);
        }

        switch (metav1LabelSelector["matchExpressions"])
        {
            case null:
                break;
            case JsonArray expressions:
                for (var i = 0; i < expressions.Count; i++)
                    requirements.Add(FromExpression(expressions[i], $"matchExpressions[{i.ToString(CultureInfo.InvariantCulture)}]"));
                break;
            default:
                throw new SelectorParseException(
                    FieldError.Invalid("matchExpressions", Describe(metav1LabelSelector["matchExpressions"]), "must be a list").Message);
        }

        return FromSortedOrNot(requirements);
    }

    /// <summary>
    /// A selector requiring every key of <paramref name="labels"/> to equal its value (a Service's
    /// <c>spec.selector</c>; Kubernetes' SelectorFromSet). Empty or null is <see cref="Everything"/>.
    /// </summary>
    public static LabelSelector FromMatchLabels(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null || labels.Count == 0)
            return Everything;
        return FromSortedOrNot(labels.Select(kv => Requirement.Create(kv.Key, SelectorOperator.Equals, [kv.Value], $"[{kv.Key}]")));
    }

    /// <summary>A selector from already-built requirements (validated again).</summary>
    public static LabelSelector FromRequirements(IEnumerable<Requirement> requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        return FromSortedOrNot(requirements.Select(r => Requirement.Create(r.Key, r.Operator, r.Values)));
    }

    /// <summary>Whether the labels (null = no labels) satisfy every requirement.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        if (_nothing)
            return false;
        labels ??= EmptyLabels;
        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(labels))
                return false;
        }
        return true;
    }

    /// <summary>Whether the object's <c>metadata.labels</c> satisfy every requirement (non-string values are ignored).</summary>
    public bool Matches(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Matches(LabelsOf(obj));
    }

    /// <summary>Reads <c>metadata.labels</c> of an object as a dictionary (non-string values skipped).</summary>
    public static IReadOnlyDictionary<string, string> LabelsOf(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj["metadata"] is not JsonObject metadata || metadata["labels"] is not JsonObject labels)
            return EmptyLabels;
        var result = new Dictionary<string, string>(labels.Count, StringComparer.Ordinal);
        foreach (var (key, node) in labels)
        {
            if (TryGetString(node, out var value))
                result[key] = value;
        }
        return result;
    }

    /// <summary>The canonical string form; <see cref="Everything"/> and <see cref="Nothing"/> are both "".</summary>
    public override string ToString() => string.Join(",", Requirements);

    public bool Equals(LabelSelector? other) =>
        other is not null && _nothing == other._nothing && Requirements.SequenceEqual(other.Requirements);

    public override bool Equals(object? obj) => Equals(obj as LabelSelector);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_nothing);
        foreach (var requirement in Requirements)
            hash.Add(requirement);
        return hash.ToHashCode();
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyLabels = new Dictionary<string, string>(StringComparer.Ordinal);

    private static readonly string[] MetaOperators = ["DoesNotExist", "Exists", "In", "NotIn"];

    private static LabelSelector FromSortedOrNot(IEnumerable<Requirement> requirements)
    {
        var sorted = requirements.OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();
        return sorted.Length == 0 ? Everything : new LabelSelector(sorted);
    }

    private static Requirement FromExpression(JsonNode? node, string path)
    {
        if (node is not JsonObject expression)
            throw new SelectorParseException(FieldError.Invalid(path, Describe(node), "must be an object").Message);

        if (!TryGetString(expression["key"], out var key) || key.Length == 0)
            throw new SelectorParseException(FieldError.Required($"{path}.key").Message);

        if (!TryGetString(expression["operator"], out var operatorText))
            throw new SelectorParseException(
                (expression["operator"] is null
                    ? FieldError.Required($"{path}.operator", "must be one of \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\"")
                    : FieldError.NotSupported($"{path}.operator", Describe(expression["operator"]), MetaOperators)).Message);
        var op = operatorText switch
        {
            "In" => SelectorOperator.In,
            "NotIn" => SelectorOperator.NotIn,
            "Exists" => SelectorOperator.Exists,
            "DoesNotExist" => SelectorOperator.DoesNotExist,
            _ => throw new SelectorParseException(
                FieldError.NotSupported($"{path}.operator", operatorText, MetaOperators).Message),
        };

        var values = new List<string>();
        switch (expression["values"])
        {
            case null:
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (!TryGetString(array[i], out var value))
                        throw new SelectorParseException(
                            FieldError.Invalid($"{path}.values[{i.ToString(CultureInfo.InvariantCulture)}]", Describe(array[i]), "must be a string").Message);
                    values.Add(value);
                }
                break;
            default:
                throw new SelectorParseException(FieldError.Invalid($"{path}.values", Describe(expression["values"]), "must be a list of strings").Message);
        }
        return Requirement.Create(key, op, values, path);
    }

    internal static bool TryGetString(JsonNode? node, out string value)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            value = v.GetValue<string>();
            return true;
        }
        value = "";
        return false;
    }

    private static object Describe(JsonNode? node) => NameValidation.DescribeNode(node);
}

using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Orchestrator.Domain.Serialization;

/// <summary>The documents of a YAML stream as JSON, and the keys given twice (each keeping its last value).</summary>
public sealed record YamlDecoded(IReadOnlyList<JsonNode?> Documents, IReadOnlyList<DuplicateField> Duplicates);

/// <summary>
/// Converts YAML manifests (one or many documents) to JSON nodes, resolving plain scalars with the
/// YAML 1.2 core schema as Kubernetes does: <c>80</c> is a number, <c>"80"</c> a string,
/// <c>true</c> a boolean, <c>~</c> or nothing null. Reads YamlDotNet's event stream straight into
/// JSON under <see cref="DecodeLimits"/>: aliases are expanded only within Kubernetes' budget
/// (<see cref="AliasBudget"/>), so a "billion laughs" document fails after a few thousand values.
/// </summary>
public static partial class YamlJson
{
    private const string StrTag = "tag:yaml.org,2002:str";

    private sealed record Anchored(JsonNode? Node, int Height, long Values, string? ScalarText);

    /// <summary>
    /// Every non-empty document of <paramref name="yaml"/>, refusing a key given twice (as kubectl
    /// does reading a manifest); throws <see cref="FormatException"/> with the line on bad YAML and
    /// <see cref="DecodeLimitException"/> past a limit.
    /// </summary>
    public static IReadOnlyList<JsonNode?> ParseDocuments(string yaml, DecodeLimits? limits = null)
    {
        var decoded = Decode(yaml, limits ?? DecodeLimits.Default);
        if (decoded.Duplicates.Count > 0) throw DuplicateKey(decoded.Duplicates[0]);
        return decoded.Documents;
    }

    /// <summary>Exactly one document, as a JSON object; a key given twice is refused.</summary>
    public static JsonObject ParseObject(string yaml, DecodeLimits? limits = null) =>
        SingleObject(ParseDocuments(yaml, limits));

    /// <summary>Exactly one document of <paramref name="decoded"/>, as a JSON object.</summary>
    public static JsonObject SingleObject(IReadOnlyList<JsonNode?> documents) => documents.Count switch
    {
        0 => throw new FormatException("the YAML document is empty"),
        1 when documents[0] is JsonObject o => o,
        1 => throw new FormatException("the YAML document is not an object"),
        _ => throw new FormatException($"expected one YAML document, found {documents.Count}"),
    };

    /// <summary>How Kubernetes' strict YAML decoding words a repeated key.</summary>
    public static FormatException DuplicateKey(DuplicateField field) =>
        new($"error converting YAML to JSON: yaml: line {field.Line}: key \"{LastSegment(field.Path)}\" already set in map ({field})");

    /// <summary>
    /// Every non-empty document, a repeated key keeping its last value and listed in
    /// <see cref="YamlDecoded.Duplicates"/> (what the API server does unless <c>fieldValidation=Strict</c>).
    /// </summary>
    public static YamlDecoded Decode(string yaml, DecodeLimits limits)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(limits);
        try
        {
            return Read(new Parser(new StringReader(yaml)), limits);
        }
        catch (YamlException e)
        {
            throw new FormatException($"error converting YAML to JSON: yaml: line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet reports some malformed input this way.
            throw new FormatException($"error converting YAML to JSON: {e.Message}", e);
        }
    }

    private static YamlDecoded Read(Parser parser, DecodeLimits limits)
    {
        var builder = new BoundedTreeBuilder(limits);
        var documents = new List<JsonNode?>();
        var anchors = new Dictionary<string, Anchored>(StringComparer.Ordinal);
        var open = new List<string?>(); // the anchor of each open container
        var budget = new AliasBudget();
        var count = 0;
        while (parser.MoveNext())
        {
            var line = (int)Math.Min(parser.Current!.Start.Line, int.MaxValue);
            switch (parser.Current)
            {
                case DocumentStart:
                    if (++count > limits.MaxDocuments)
                        throw DecodeLimitException.Exceeded("max-documents", $"the stream holds more than {limits.MaxDocuments} documents");
                    anchors.Clear(); // anchors are local to their document
                    budget = new AliasBudget();
                    break;
                case DocumentEnd:
                    if (builder.Take() is { } document) documents.Add(document);
                    break;
                case MappingStart m:
                    RefuseContainerKey(builder, line);
                    builder.StartObject(line);
                    budget.Count(1);
                    open.Add(m.Anchor.IsEmpty ? null : m.Anchor.Value);
                    break;
                case SequenceStart s:
                    RefuseContainerKey(builder, line);
                    builder.StartArray(line);
                    budget.Count(1);
                    open.Add(s.Anchor.IsEmpty ? null : s.Anchor.Value);
                    break;
                case MappingEnd or SequenceEnd:
                    var (node, height, values) = builder.End(line);
                    if (open[^1] is { } anchor) anchors[anchor] = new Anchored(node, height, values, null);
                    open.RemoveAt(open.Count - 1);
                    break;
                case Scalar scalar:
                    builder.CheckString(scalar.Value);
                    budget.Count(1);
                    var isKey = builder.ExpectsKey;
                    var value = isKey ? JsonValue.Create(scalar.Value) : ConvertScalar(scalar);
                    if (isKey) builder.Key(scalar.Value);
                    else builder.Value(value, line);
                    if (!scalar.Anchor.IsEmpty) anchors[scalar.Anchor.Value] = new Anchored(value, 0, 1, scalar.Value);
                    break;
                case AnchorAlias alias:
                    var name = alias.Value.Value;
                    if (!anchors.TryGetValue(name, out var target))
                        throw new FormatException(open.Contains(name)
                            ? $"error converting YAML to JSON: yaml: line {line}: anchor '{name}' value contains itself"
                            : $"error converting YAML to JSON: yaml: line {line}: unknown anchor '{name}' referenced");
                    budget.Expand(target.Values);
                    if (builder.ExpectsKey)
                    {
                        builder.Key(target.ScalarText ?? throw new FormatException($"error converting YAML to JSON: yaml: line {line}: mapping keys must be scalars"));
                        break;
                    }
                    builder.CountValues(target.Values);
                    builder.Subtree(target.Node?.DeepClone(), target.Height, line);
                    break;
            }
        }
        return new YamlDecoded(documents, builder.Duplicates);
    }

    private static void RefuseContainerKey(BoundedTreeBuilder builder, int line)
    {
        if (builder.ExpectsKey) throw new FormatException($"error converting YAML to JSON: yaml: line {line}: mapping keys must be scalars");
    }

    private static string LastSegment(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? path : path[(dot + 1)..];
    }

    private static JsonNode? ConvertScalar(Scalar scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value == StrTag)) return JsonValue.Create(value);
        if (value is "" or "~" or "null" or "Null" or "NULL") return null;
        if (value is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (value is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (IntPattern().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (FloatPattern().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return JsonValue.Create(d);
        return JsonValue.Create(value);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}

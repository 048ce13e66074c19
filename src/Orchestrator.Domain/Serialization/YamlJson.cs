using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Domain.Serialization;

/// <summary>
/// Converts YAML manifests (one or many documents) to JSON nodes with YamlDotNet, resolving
/// plain scalars with the YAML 1.2 core schema as Kubernetes does: <c>80</c> is a number,
/// <c>"80"</c> a string, <c>true</c> a boolean, <c>~</c> or nothing null.
/// </summary>
public static partial class YamlJson
{
    /// <summary>Every non-empty document of <paramref name="yaml"/>; throws <see cref="FormatException"/> with the line on bad YAML.</summary>
    public static IReadOnlyList<JsonNode?> ParseDocuments(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new FormatException($"error converting YAML to JSON: yaml: line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet reports some malformed flow collections this way.
            throw new FormatException($"error converting YAML to JSON: {e.Message}", e);
        }
        return stream.Documents
            .Select(d => Convert(d.RootNode))
            .Where(n => n is not null)
            .ToList();
    }

    /// <summary>Exactly one document, as a JSON object.</summary>
    public static JsonObject ParseObject(string yaml)
    {
        var docs = ParseDocuments(yaml);
        return docs.Count switch
        {
            0 => throw new FormatException("the YAML document is empty"),
            1 when docs[0] is JsonObject o => o,
            1 => throw new FormatException("the YAML document is not an object"),
            _ => throw new FormatException($"expected one YAML document, found {docs.Count}"),
        };
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => ConvertMap(map),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => throw new FormatException($"unsupported YAML node {node.NodeType}"),
    };

    private static JsonObject ConvertMap(YamlMappingNode map)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            var name = key is YamlScalarNode s ? s.Value ?? "" : throw new FormatException($"line {key.Start.Line}: mapping keys must be scalars");
            if (obj.ContainsKey(name)) throw new FormatException($"yaml: line {key.Start.Line}: mapping key \"{name}\" already defined");
            obj[name] = Convert(value);
        }
        return obj;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain) return JsonValue.Create(value);
        if (value is "" or "~" or "null" or "Null" or "NULL") return null;
        if (value is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (value is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (IntPattern().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (FloatPattern().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
        return JsonValue.Create(value);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}

using System.Text.Json.Nodes;
using Orchestrator.CommandHost.Protocol;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Serialization;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>One object of a manifest: its kind, where it goes, and the object itself.</summary>
/// <param name="Position">1-based number of the document in the file, for messages.</param>
internal sealed record ManifestDocument(int Position, ResourceKind Kind, string Namespace, string Name, JsonObject Object)
{
    public string Reference => ResourceRendering.Reference(Kind, Name);

    /// <summary>The object names another namespace than the one the request goes to (the API refuses that).</summary>
    public bool NamespaceMismatch => Kind.Namespaced && Object.Namespace() != Namespace;
}

/// <summary>
/// Reads a manifest file's content (YAML or JSON, several documents separated by <c>---</c>, or a
/// <c>kind: List</c>) into objects, checking every document before anything is applied, so a
/// mistake in the third document does not leave the first two applied.
/// </summary>
internal static class ManifestDocuments
{
    /// <exception cref="CommandException">Bad YAML, or a document without a known kind or a name; the message names the document.</exception>
    public static IReadOnlyList<ManifestDocument> Parse(string content, string? namespaceSwitch)
    {
        ArgumentNullException.ThrowIfNull(content);
        IReadOnlyList<JsonNode?> nodes;
        try
        {
            nodes = YamlJson.ParseDocuments(content);
        }
        catch (FormatException e)
        {
            throw new CommandException($"the manifest is not valid YAML: {e.Message}", ExitCodes.UsageError);
        }

        var objects = new List<JsonNode?>();
        foreach (var node in nodes)
        {
            if (node is JsonObject { } list && list.GetString("kind") == "List" && list["items"] is JsonArray items)
                objects.AddRange(items);
            else
                objects.Add(node);
        }
        if (objects.Count == 0)
            throw new CommandException("the manifest holds no objects", ExitCodes.UsageError);

        var documents = new List<ManifestDocument>();
        for (var i = 0; i < objects.Count; i++)
            documents.Add(Read(i + 1, objects[i], namespaceSwitch));
        return documents;
    }

    private static ManifestDocument Read(int position, JsonNode? node, string? namespaceSwitch)
    {
        if (node is not JsonObject obj)
            throw Invalid(position, "is not an object");
        var kindName = obj.GetString("kind");
        if (string.IsNullOrEmpty(kindName))
            throw Invalid(position, "has no kind");
        var kind = (ResourceKinds.ByKind(kindName) is { Served: true } served ? served : null)
                   ?? throw Invalid(position, $"has kind '{kindName}', which this cluster does not serve; known kinds: {string.Join(", ", ResourceKinds.Served.Select(k => k.Kind))}");
        var apiVersion = obj.GetString("apiVersion");
        if (apiVersion != kind.ApiVersion)
            throw Invalid(position, $"({kind.Kind}) has apiVersion '{apiVersion}'; {kind.Kind} is served as '{kind.ApiVersion}'");
        var name = obj.Name();
        if (name.Length == 0)
            throw Invalid(position, $"({kind.Kind}) has no metadata.name");

        // The request goes to the -n namespace, else the object's own, else default; an object
        // naming another namespace than -n keeps it, and the API refuses the mismatch in its words.
        var ns = "";
        if (kind.Namespaced)
        {
            var own = obj.Namespace();
            ns = namespaceSwitch is { Length: > 0 } ? namespaceSwitch : own.Length > 0 ? own : ResourceSwitches.DefaultNamespace;
            if (own.Length == 0) obj.Metadata()["namespace"] = ns;
        }
        return new ManifestDocument(position, kind, ns, name, obj);
    }

    private static CommandException Invalid(int position, string problem) =>
        new($"document {position} of the manifest {problem}", ExitCodes.UsageError);
}

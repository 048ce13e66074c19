using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>
/// Writes through this node's own Kubernetes API (see <see cref="NodeApiClient"/>), so that what
/// <c>pbm</c> writes passes the same admission as what kubectl writes: request decoding, field
/// validation (<c>fieldValidation=Strict</c>, as kubectl sends: unknown and repeated fields
/// refused), dry run, the kind and namespace rules, defaults and validation, with the API's words.
/// A refusal is thrown as the <see cref="ApiErrorException"/> of the API's <c>Status</c>.
/// </summary>
internal sealed class NodeApiWrites(HttpClient api)
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    /// <summary>The object, or null when the API answers 404.</summary>
    public async Task<JsonObject?> GetAsync(ResourceKind kind, string ns, string name, CancellationToken ct)
    {
        using var response = await api.GetAsync(ItemPath(kind, ns, name), ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        return await ObjectOf(response, ct);
    }

    public async Task<JsonObject> CreateAsync(ResourceKind kind, string ns, JsonObject obj, bool dryRun, CancellationToken ct)
    {
        using var content = Body(obj, "application/json");
        using var response = await api.PostAsync(CollectionPath(kind, ns) + Query(dryRun), content, ct);
        return await ObjectOf(response, ct);
    }

    public async Task<JsonObject> StrategicPatchAsync(ResourceKind kind, string ns, string name, JsonObject patch, bool dryRun, CancellationToken ct)
    {
        using var content = Body(patch, "application/strategic-merge-patch+json");
        using var response = await api.PatchAsync(ItemPath(kind, ns, name) + Query(dryRun), content, ct);
        return await ObjectOf(response, ct);
    }

    /// <summary>The kind's collection as the API serves it: <c>/api/v1/namespaces/ns/pods</c>, <c>/apis/apps/v1/deployments</c>.</summary>
    public static string CollectionPath(ResourceKind kind, string ns)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var root = kind.Group.Length == 0 ? "/api/" + kind.Version : $"/apis/{kind.Group}/{kind.Version}";
        return kind.Namespaced ? $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{kind.Plural}" : $"{root}/{kind.Plural}";
    }

    private static string ItemPath(ResourceKind kind, string ns, string name) => CollectionPath(kind, ns) + "/" + Uri.EscapeDataString(name);

    private static string Query(bool dryRun) => "?fieldValidation=Strict" + (dryRun ? "&dryRun=All" : "");

    private static StringContent Body(JsonObject obj, string mediaType) => new(obj.ToJsonString(Compact), Encoding.UTF8, mediaType);

    private static async Task<JsonObject> ObjectOf(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonNode? body = null;
        try
        {
            body = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
        }
        if (response.IsSuccessStatusCode && body is JsonObject obj) return obj;
        if (body is JsonObject status && status.GetString("kind") == "Status" && status.GetString("message") is { } message)
            throw new ApiErrorException(new ApiError((int)response.StatusCode, status.GetString("reason") ?? response.StatusCode.ToString(), message));
        throw new ApiErrorException(new ApiError((int)response.StatusCode, response.StatusCode.ToString(),
            $"the node's API answered {(int)response.StatusCode} {response.ReasonPhrase}: {text}"));
    }
}

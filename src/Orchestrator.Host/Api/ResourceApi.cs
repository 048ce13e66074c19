using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Namespaces;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;
using Orchestrator.Domain.Serialization;

namespace Orchestrator.Host.Api;

/// <summary>
/// The Kubernetes REST surface for every kind: <c>/api/v1/...</c> and <c>/apis/{group}/v1/...</c>
/// with list, get, watch, create, update, patch, delete, delete-collection, and the status, scale
/// and binding subresources. Every error is a Kubernetes <c>Status</c>.
/// </summary>
internal sealed partial class ResourceApi(ResourceStore store, RequestBodies bodies, TimeProvider time, ILogger<ResourceApi> log)
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    /// <summary>A parsed resource path: <c>[namespaces/{ns}/]{plural}[/{name}[/{subresource}]]</c>.</summary>
    private sealed record Target(ResourceKind Kind, string Namespace, string? Name, string? Subresource);

    public async Task Handle(HttpContext http, string group, string path)
    {
        try
        {
            var target = Parse(group, path);
            await Dispatch(http, target);
        }
        catch (ApiErrorException e)
        {
            await WriteError(http, e.Error);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            var limit = http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0;
            await WriteError(http, ApiError.RequestTooLarge(limit));
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // the client went away
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Bad input never lands here (it is a 4xx above): this is the product's own fault.
            log.LogError(e, "{Method} {Path} failed (correlation id {CorrelationId})", http.Request.Method, http.Request.Path, http.TraceIdentifier);
            await WriteError(http, ApiError.Internal($"Internal error occurred: {e.GetType().Name} (correlation id {http.TraceIdentifier}, in the node's log)"));
        }
    }

    private static Target Parse(string group, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var ns = "";
        var rest = segments;
        if (segments.Length >= 3 && segments[0] == "namespaces" && !(segments.Length == 3 && segments[2] is "status" or "finalize"))
        {
            ns = segments[1];
            rest = segments[2..];
        }
        if (rest.Length is 0 or > 3) throw NotFound();
        var kind = ResourceKinds.ByPlural(group, rest[0]) ?? throw NotFound();
        if (kind.Namespaced != (ns.Length > 0) && rest.Length > 1) throw NotFound();
        if (!kind.Namespaced && ns.Length > 0) throw NotFound();
        return new Target(kind, ns, rest.ElementAtOrDefault(1), rest.ElementAtOrDefault(2));
    }

    private static ApiErrorException NotFound() =>
        new(ApiError.NoSuchPath());

    private async Task Dispatch(HttpContext http, Target t)
    {
        var method = http.Request.Method;
        var ct = http.RequestAborted;
        if (t.Name is null)
        {
            switch (method)
            {
                case "GET" when IsWatch(http):
                    await Watch(http, t);
                    return;
                case "GET":
                    await List(http, t);
                    return;
                case "POST":
                    var decoded = await bodies.ReadObject(http);
                    var body = decoded.Object;
                    if (NamespaceRules.RefuseBodyNamespace(t.Kind, t.Namespace, body) is { } mismatch) throw new ApiErrorException(mismatch);
                    CheckFields(http, t.Kind, decoded);
                    await WriteJson(http, await store.Create(t.Kind, t.Namespace, body, DryRun(http), ct), 201);
                    return;
                case "DELETE":
                    await DeleteCollection(http, t);
                    return;
                default:
                    throw new ApiErrorException(ApiError.MethodNotAllowed($"{method} is not supported on the collection {t.Kind.Plural}"));
            }
        }

        var sub = t.Subresource;
        switch (sub)
        {
            case null or "status":
                break;
            case "scale" when t.Kind.HasScaleSubresource:
                await Scale(http, t);
                return;
            case "binding" when t.Kind.Kind == "Pod" && method == "POST":
                if (DryRun(http)) throw new ApiErrorException(ApiError.BadRequest("dryRun is not supported on pods/binding"));
                var binding = (await bodies.ReadObject(http)).Object;
                var node = (binding["target"] as JsonObject).GetString("name");
                if (string.IsNullOrEmpty(node))
                    throw new ApiErrorException(ApiError.Invalid(t.Kind, t.Name, [new ApiErrorCause("FieldValueRequired", "Required value", "target.name")]));
                await store.Bind(t.Namespace, t.Name, node, ct);
                await WriteJson(http, Success(), 201);
                return;
            default:
                throw NotFound();
        }
        if (sub == "status" && !t.Kind.HasStatusSubresource) throw NotFound();
        var subresource = sub == "status" ? Subresource.Status : Subresource.Main;
        var dryRun = method != "GET" && DryRun(http);
        switch (method)
        {
            case "GET":
                await WriteObject(http, t.Kind, await store.Get(t.Kind, t.Namespace, t.Name, ct));
                return;
            case "PUT":
                var replacement = await bodies.ReadObject(http);
                CheckFields(http, t.Kind, replacement);
                await WriteJson(http, await store.Replace(t.Kind, t.Namespace, t.Name, replacement.Object, subresource, dryRun, ct));
                return;
            case "PATCH":
                var (type, patch, duplicates) = await bodies.ReadPatch(http);
                await CheckPatchFields(http, t, type, patch, duplicates);
                await WriteJson(http, await store.Patch(t.Kind, t.Namespace, t.Name, type, patch, subresource, "patched", dryRun, ct));
                return;
            case "DELETE" when sub is null:
                var (deletion, dryRunDelete) = await ReadDeleteRequest(http);
                await WriteJson(http, await store.Delete(t.Kind, t.Namespace, t.Name, deletion, dryRunDelete, ct));
                return;
            default:
                throw new ApiErrorException(ApiError.MethodNotAllowed($"{method} is not supported on {t.Kind.Plural}{(sub is null ? "" : "/" + sub)}"));
        }
    }

    /// <summary>
    /// Field validation as Kubernetes does it: <c>fieldValidation=Strict</c> refuses unknown fields,
    /// <c>Warn</c> (the default) answers them in a <c>Warning</c> header, <c>Ignore</c> drops them silently.
    /// </summary>
    private static void CheckFields(HttpContext http, ResourceKind kind, DecodedObject body)
    {
        var mode = FieldValidation.Of(http);
        if (mode == FieldValidation.Mode.Ignore) return;
        FieldValidation.Report(http, mode, UnknownFields.Of(kind, body.Object), body.Duplicates);
    }

    /// <summary>
    /// Field validation of a patch (see <see cref="UnknownFields.OfPatch"/>): a JSON patch is checked
    /// by the object it makes of the current one, read here; the store applies it again to the
    /// version it holds then.
    /// </summary>
    private async Task CheckPatchFields(HttpContext http, Target t, PatchType type, JsonNode patch, IReadOnlyList<DuplicateField> duplicates)
    {
        var mode = FieldValidation.Of(http);
        if (mode == FieldValidation.Mode.Ignore) return;
        var current = type == PatchType.Json ? await store.Get(t.Kind, t.Namespace, t.Name!, http.RequestAborted) : null;
        FieldValidation.Report(http, mode, UnknownFields.OfPatch(t.Kind, type, patch, current), duplicates);
    }

    private static bool IsWatch(HttpContext http) => QueryParameters.Bool(http, "watch");

    private static bool DryRun(HttpContext http) => QueryParameters.DryRun(http);

    private static ObjectFilter Filter(HttpContext http, Target t)
    {
        try
        {
            var labels = LabelSelector.Parse(http.Request.Query["labelSelector"].ToString());
            var fields = FieldSelector.Parse(http.Request.Query["fieldSelector"].ToString());
            return new ObjectFilter(t.Kind.Kind, t.Kind.Namespaced && t.Namespace.Length > 0 ? t.Namespace : null, labels, fields);
        }
        catch (SelectorParseException e)
        {
            throw new ApiErrorException(ApiError.BadRequest(e.Message));
        }
    }

    private async Task List(HttpContext http, Target t)
    {
        var filter = Filter(http, t);
        QueryParameters.Long(http, "limit", min: 0);
        QueryParameters.Long(http, "timeoutSeconds", min: 0);
        var wanted = QueryParameters.ResourceVersion(http);
        if (wanted is > 0 && !await ResourceVersions.ReachHead(store, wanted.Value, time, http.RequestAborted))
            throw new ApiErrorException(ResourceVersions.TooLarge(wanted.Value, await store.Head(http.RequestAborted)));
        ObjectList list;
        if (wanted == 0)
        {
            // resourceVersion=0: any version will do (Kubernetes serves it from its cache), so this
            // member's index answers even while the journal is down, and says so.
            list = await store.ListCached(filter, http.RequestAborted);
            if (!store.Journal.Available)
                http.Response.Headers.Append("Warning", "299 - \"the journal is unavailable: this list is this member's copy and may be stale\"");
        }
        else
        {
            list = await store.List(filter, http.RequestAborted);
        }
        var rv = list.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        if (Tables.Wanted(http.Request.Headers.Accept))
        {
            await WriteJson(http, Tables.Build(t.Kind, list.Items, rv, time.GetUtcNow()));
            return;
        }
        // Items are shared with the index: they are written out, never modified.
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(http.Response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteString("kind", t.Kind.Kind + "List");
        writer.WriteString("apiVersion", t.Kind.ApiVersion);
        writer.WriteStartObject("metadata");
        writer.WriteString("resourceVersion", rv);
        writer.WriteEndObject();
        writer.WriteStartArray("items");
        foreach (var item in list.Items) item.WriteTo(writer);
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(http.RequestAborted);
    }

    private async Task Watch(HttpContext http, Target t)
    {
        var filter = Filter(http, t);
        var from = QueryParameters.ResourceVersion(http);
        QueryParameters.Bool(http, "allowWatchBookmarks");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        if (QueryParameters.Long(http, "timeoutSeconds", min: 0) is { } seconds && seconds > 0)
            timeout.CancelAfter(TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue / 1000)));
        var table = Tables.Wanted(http.Request.Headers.Accept);
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        // Kestrel's StartAsync only queues the headers: flush them, so a client (client-go's
        // Watch, an informer) knows the watch is established before the first event.
        await http.Response.StartAsync(http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
        var first = true;
        try
        {
            if (from is { } wanted && !await ResourceVersions.ReachHead(store, wanted, time, timeout.Token))
                throw new ApiErrorException(ResourceVersions.TooLarge(wanted, await store.Head(timeout.Token)));
            await foreach (var e in store.Watch(filter, from, timeout.Token))
            {
                var obj = table
                    ? Tables.Build(t.Kind, [e.Object], e.ResourceVersion.ToString(CultureInfo.InvariantCulture), time.GetUtcNow(), includeColumns: first)
                    : e.Object;
                first = false;
                await WriteWatchEvent(http, e.Type, obj, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // timeoutSeconds elapsed or the client left: end the stream
        }
        catch (ApiErrorException e)
        {
            await WriteWatchEvent(http, WatchEventType.Error, e.Error.ToStatus(), http.RequestAborted);
        }
    }

    private static async Task WriteWatchEvent(HttpContext http, WatchEventType type, JsonObject obj, CancellationToken ct)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type.WireName());
            writer.WritePropertyName("object");
            obj.WriteTo(writer);
            writer.WriteEndObject();
        }
        await http.Response.Body.WriteAsync(buffer.WrittenMemory, ct);
        await http.Response.Body.WriteAsync("\n"u8.ToArray(), ct);
        await http.Response.Body.FlushAsync(ct);
    }

    private async Task DeleteCollection(HttpContext http, Target t)
    {
        var (request, dryRun) = await ReadDeleteRequest(http);
        var list = await store.List(Filter(http, t), http.RequestAborted);
        var deleted = new List<JsonObject>();
        foreach (var item in list.Items)
        {
            try
            {
                deleted.Add(await store.Delete(t.Kind, item.Namespace(), item.Name(), request, dryRun, http.RequestAborted));
            }
            catch (ApiErrorException e) when (e.Error.Code == 404)
            {
                // deleted meanwhile
            }
        }
        await WriteJson(http, new JsonObject
        {
            ["kind"] = t.Kind.Kind + "List",
            ["apiVersion"] = t.Kind.ApiVersion,
            ["metadata"] = new JsonObject(),
            ["items"] = new JsonArray(deleted.Select(d => (JsonNode)d).ToArray()),
        });
    }

    private async Task Scale(HttpContext http, Target t)
    {
        var ct = http.RequestAborted;
        var obj = await store.Get(t.Kind, t.Namespace, t.Name!, ct);
        switch (http.Request.Method)
        {
            case "GET":
                await WriteJson(http, ScaleSubresource.Of(obj));
                return;
            case "PUT" or "PATCH":
                JsonNode? desired;
                if (http.Request.Method == "PUT")
                {
                    desired = (await bodies.ReadObject(http)).Object;
                }
                else
                {
                    var (type, patch, _) = await bodies.ReadPatch(http);
                    desired = ScaleSubresource.Patched(obj, type, patch);
                }
                var scalePatch = ScaleSubresource.UpdatePatch(t.Kind, t.Name!, desired);
                var updated = await store.Patch(t.Kind, t.Namespace, t.Name!, PatchType.Merge, scalePatch, Subresource.Main, "scaled", DryRun(http), ct);
                await WriteJson(http, ScaleSubresource.Of(updated));
                return;
            default:
                throw new ApiErrorException(ApiError.MethodNotAllowed($"{http.Request.Method} is not supported on {t.Kind.Plural}/scale"));
        }
    }

    private static JsonObject Success() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["code"] = 201,
    };

    private async Task WriteObject(HttpContext http, ResourceKind kind, JsonObject obj)
    {
        if (Tables.Wanted(http.Request.Headers.Accept))
            await WriteJson(http, Tables.Build(kind, [obj], obj.ResourceVersion() ?? "", time.GetUtcNow()));
        else
            await WriteJson(http, obj);
    }

    internal static async Task WriteJson(HttpContext http, JsonNode node, int status = 200)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(node.ToJsonString(Compact), http.RequestAborted);
    }

    internal static Task WriteError(HttpContext http, ApiError error)
    {
        if (http.Response.HasStarted) return Task.CompletedTask;
        if (error.RetryAfterSeconds is { } retry) http.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
        return WriteJson(http, error.ToStatus(), error.Code);
    }
}

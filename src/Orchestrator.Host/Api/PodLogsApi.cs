using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.NodeAgent;
using Orchestrator.NodeAgent.Hosting;
using Orchestrator.Runtime;

namespace Orchestrator.Host.Api;

/// <summary>
/// <c>GET /api/v1/namespaces/{ns}/pods/{name}/log?container=&amp;follow=&amp;tailLines=&amp;previous=&amp;timestamps=</c>,
/// what <c>kubectl logs [-f]</c> calls. Served from the engine when the pod runs on this member's
/// node; otherwise forwarded over HTTP to the API of the member that runs it (its address is in the
/// Node's <c>orchestrator.io/api-endpoint</c> annotation), with the caller's Authorization header.
/// Output is plain text, one line per line written, stdout and stderr interleaved as the engine has them.
/// </summary>
internal sealed class PodLogsApi(ResourceStore store, LocalNode localNode)
{
    public async Task Handle(HttpContext http, string ns, string name)
    {
        try
        {
            await Serve(http, ns, name);
        }
        catch (ApiErrorException e)
        {
            await ResourceApi.WriteError(http, e.Error);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
        }
        catch (ContainerRuntimeException e)
        {
            await ResourceApi.WriteError(http, ApiError.Internal(e.Message));
        }
    }

    private async Task Serve(HttpContext http, string ns, string name)
    {
        var pod = await store.Get(PodKind.Instance, ns, name, http.RequestAborted);
        var query = http.Request.Query;
        var nodeName = pod["spec"]?["nodeName"]?.GetValue<string>();
        if (string.IsNullOrEmpty(nodeName))
            throw new ApiErrorException(ApiError.BadRequest($"pod {name} does not have a host assigned"));
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().Select(c => c.GetString("name") ?? "").ToList();
        var container = query["container"].ToString();
        if (string.IsNullOrEmpty(container))
        {
            if (containers.Count != 1)
                throw new ApiErrorException(ApiError.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", containers)}]"));
            container = containers[0];
        }
        else if (!containers.Contains(container))
        {
            throw new ApiErrorException(ApiError.BadRequest($"container {container} is not valid for pod {name}"));
        }

        if (!localNode.Settings.Enabled || nodeName != localNode.Name)
        {
            await Forward(http, nodeName);
            return;
        }

        var runs = (await localNode.Runtime.ListContainersAsync(new Dictionary<string, string>
        {
            [ContainerLabels.PodNamespace] = ns,
            [ContainerLabels.PodName] = name,
            [ContainerLabels.PodUid] = pod.Uid() ?? "",
            [ContainerLabels.ContainerName] = container,
        }, http.RequestAborted)).Where(c => c.Kind == ContainerKind.App).OrderBy(c => c.RestartCount).ThenBy(c => c.CreatedAt).ToList();
        var previous = IsTrue(query["previous"]);
        var run = previous ? (runs.Count > 1 ? runs[^2] : null) : runs.LastOrDefault();
        if (run is null)
        {
            throw new ApiErrorException(previous
                ? ApiError.BadRequest($"previous terminated container \"{container}\" in pod \"{name}\" not found")
                : ApiError.BadRequest($"container \"{container}\" in pod \"{name}\" is waiting to start: ContainerCreating"));
        }
        int? tail = int.TryParse(query["tailLines"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) && t >= 0 ? t : null;
        var options = new LogOptions(Follow: IsTrue(query["follow"]) && !previous, TailLines: tail, Timestamps: IsTrue(query["timestamps"]));
        http.Response.StatusCode = 200;
        http.Response.ContentType = "text/plain";
        await http.Response.StartAsync(http.RequestAborted);
        await foreach (var line in localNode.Runtime.GetLogsAsync(run.Id, options, http.RequestAborted))
        {
            var text = line.Timestamp is { } at ? ObjectMeta.FormatTime(at) + " " + line.Text : line.Text;
            await http.Response.WriteAsync(text + "\n", http.RequestAborted);
            if (options.Follow) await http.Response.Body.FlushAsync(http.RequestAborted);
        }
    }

    /// <summary>Relays the request to the API of the member running the pod's node, streaming the answer back.</summary>
    private async Task Forward(HttpContext http, string nodeName)
    {
        JsonObject node;
        try
        {
            node = await store.Get(NodeKind.Instance, "", nodeName, http.RequestAborted);
        }
        catch (ApiErrorException e) when (e.Error.Code == 404)
        {
            throw new ApiErrorException(ApiError.NotFound(NodeKind.Instance, nodeName));
        }
        if (node.Annotations().GetValueOrDefault(NodeRegistration.ApiEndpointAnnotation) is not { Length: > 0 } endpoint)
            throw new ApiErrorException(ApiError.ServiceUnavailable($"node {nodeName} publishes no API endpoint ({NodeRegistration.ApiEndpointAnnotation}); its logs cannot be reached from here"));
        var target = new Uri(endpoint.TrimEnd('/') + http.Request.Path + http.Request.QueryString);
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        if (http.Request.Headers.Authorization.Count > 0) request.Headers.TryAddWithoutValidation("Authorization", http.Request.Headers.Authorization.ToString());
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            throw new ApiErrorException(ApiError.ServiceUnavailable($"node {nodeName} at {endpoint} cannot be reached for logs: {e.Message}"));
        }
        using (response)
        {
            http.Response.StatusCode = (int)response.StatusCode;
            http.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "text/plain";
            await using var body = await response.Content.ReadAsStreamAsync(http.RequestAborted);
            var buffer = new byte[8192];
            int read;
            while ((read = await body.ReadAsync(buffer, http.RequestAborted)) > 0)
            {
                await http.Response.Body.WriteAsync(buffer.AsMemory(0, read), http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
            }
        }
    }

    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) =>
        value.ToString() is "true" or "1" or "True";
}

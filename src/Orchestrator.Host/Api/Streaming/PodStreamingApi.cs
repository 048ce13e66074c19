using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Orchestrator.Cluster.Resources;
using Orchestrator.Cluster.Streams;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.NodeAgent.Hosting;

namespace Orchestrator.Host.Api.Streaming;

/// <summary>
/// <c>pods/exec</c>, <c>pods/attach</c> and <c>pods/portforward</c> over WebSocket (GET or POST, as
/// the API server accepts them): what <c>kubectl exec|attach|cp|port-forward</c> and the official
/// clients call. The pod's node is found from the pod; when it is this member's node the session
/// goes straight to the engine, otherwise to the member that runs it over the cluster
/// (<see cref="RemotePodStreamSession"/>), like logs. Errors before the upgrade are Status answers
/// (400 for a bad request or a container that is not running, 404 for a missing pod).
/// </summary>
internal sealed class PodStreamingApi(ResourceStore store, LocalNode localNode, ActorSystem system, NodeMembers members, ILogger<PodStreamingApi> log)
{
    public Task Exec(HttpContext http, string ns, string name) => Guard(http, () => ServeCommand(http, ns, name, PodStreamKind.Exec));

    public Task Attach(HttpContext http, string ns, string name) => Guard(http, () => ServeCommand(http, ns, name, PodStreamKind.Attach));

    public Task PortForward(HttpContext http, string ns, string name) => Guard(http, () => ServePortForward(http, ns, name));

    private async Task Guard(HttpContext http, Func<Task> serve)
    {
        try
        {
            await serve();
        }
        catch (ApiErrorException e) when (!http.Response.HasStarted)
        {
            await ResourceApi.WriteError(http, e.Error);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException && http.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
            log.LogDebug(e, "stream {Path} ended with a broken connection", http.Request.Path);
        }
    }

    private async Task ServeCommand(HttpContext http, string ns, string name, PodStreamKind kind)
    {
        var pod = await store.Get(PodKind.Instance, ns, name, http.RequestAborted);
        var query = http.Request.Query;
        var verb = kind == PodStreamKind.Exec ? "exec" : "attach";
        var nodeName = NodeOf(pod, name);
        var container = ContainerOf(pod, name, query["container"].ToString());
        var command = query["command"].Where(c => c is not null).Select(c => c!).ToList();
        bool stdin = QueryParameters.Bool(http, "stdin"), stdout = QueryParameters.Bool(http, "stdout"), stderr = QueryParameters.Bool(http, "stderr"), tty = QueryParameters.Bool(http, "tty");
        if (kind == PodStreamKind.Exec && command.Count == 0)
            throw new ApiErrorException(ApiError.BadRequest("you must specify at least one command for the container"));
        if (!stdin && !stdout && !stderr)
            throw new ApiErrorException(ApiError.BadRequest("you must specify at least 1 of stdin, stdout, stderr"));
        var phase = pod["status"]?["phase"]?.GetValue<string>();
        if (phase is "Succeeded" or "Failed")
            throw new ApiErrorException(ApiError.BadRequest($"cannot {verb} into a container in a completed pod; current phase is {phase}"));
        var protocol = Negotiate(http, RemoteCommandProtocol.Protocols);

        // With a terminal, stderr is the terminal too (the kubelet ignores a separate stderr then).
        var request = new PodStreamRequest(kind, ns, name, pod.Uid() ?? "", container, command, stdin, stdout, stderr && !tty, tty);
        await using var session = await OpenAsync(nodeName, request, $"{verb} in pod {name}", http.RequestAborted);
        using var socket = new ChannelWebSocket(await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = protocol }), ChannelWebSocket.IsBase64(protocol ?? ""));
        await RemoteCommandProtocol.RunAsync(socket, protocol ?? "", session, request, http.RequestAborted);
    }

    private async Task ServePortForward(HttpContext http, string ns, string name)
    {
        var pod = await store.Get(PodKind.Instance, ns, name, http.RequestAborted);
        var nodeName = NodeOf(pod, name);
        var phase = pod["status"]?["phase"]?.GetValue<string>();
        if (phase != "Running")
            throw new ApiErrorException(ApiError.BadRequest($"unable to forward port because pod is not running. Current status={phase ?? "Pending"}"));
        var podIp = pod["status"]?["podIP"]?.GetValue<string>();
        PodStreamRequest RequestFor(int port) => new(PodStreamKind.PortForward, ns, name, pod.Uid() ?? "", "", [], true, true, false, false, podIp, port);
        Task<IPodStreamSession> Open(int port, CancellationToken ct) => OpenAsync(nodeName, RequestFor(port), $"port {port} of pod {name}", ct);

        if (http.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade &&
            string.Equals(http.Request.Headers.Upgrade, SpdyPortForward.Upgrade, StringComparison.OrdinalIgnoreCase))
        {
            // kubectl up to 1.30 (and later ones whose WebSocket upgrade was refused): SPDY itself.
            if (!http.Request.Headers["X-Stream-Protocol-Version"].Contains(SpdyPortForward.StreamProtocol))
                throw new ApiErrorException(ApiError.BadRequest($"unable to upgrade: X-Stream-Protocol-Version must offer {SpdyPortForward.StreamProtocol}"));
            http.Response.Headers.Connection = "Upgrade";
            http.Response.Headers.Upgrade = SpdyPortForward.Upgrade;
            http.Response.Headers["X-Stream-Protocol-Version"] = SpdyPortForward.StreamProtocol;
            await using var connection = await upgrade.UpgradeAsync();
            await new SpdyPortForward(new SpdyPortForward.StreamTransport(connection), Open, log).RunAsync(http.RequestAborted);
            return;
        }
        var protocol = Negotiate(http, [SpdyPortForward.Protocol, .. PortForwardProtocol.Protocols]);
        if (protocol == SpdyPortForward.Protocol)
        {
            // ASP.NET refuses '/' in a subprotocol it answers with (RFC 6455 wants a token), kubectl
            // sends it anyway: answer the header ourselves.
            http.Response.Headers.SecWebSocketProtocol = protocol;
            using var spdy = await http.WebSockets.AcceptWebSocketAsync();
            await new SpdyPortForward(new SpdyPortForward.WebSocketTransport(spdy), Open, log).RunAsync(http.RequestAborted);
            return;
        }
        var ports = PortForwardProtocol.ParsePorts(http.Request.Query["ports"]);
        using var socket = new ChannelWebSocket(await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = protocol }), ChannelWebSocket.IsBase64(protocol ?? ""));
        await PortForwardProtocol.RunAsync(socket, ports, Open, http.RequestAborted);
    }

    /// <summary>Opens on this member's engine when the pod's node is ours, else through the node's member.</summary>
    private async Task<IPodStreamSession> OpenAsync(string nodeName, PodStreamRequest request, string what, CancellationToken cancellationToken)
    {
        if (localNode.Settings.Enabled && nodeName == localNode.Name)
            return await localNode.Streams.OpenAsync(request, cancellationToken);
        var member = await members.ResolveAsync(nodeName, what, cancellationToken);
        return await RemotePodStreamSession.OpenAsync(system, member, request, cancellationToken);
    }

    /// <summary>
    /// The subprotocol to answer with: the first the client offers that is served; null when it
    /// offers none (the unversioned protocol). A request that is not a WebSocket upgrade (e.g. SPDY)
    /// or offers only unknown subprotocols gets a 400.
    /// </summary>
    private static string? Negotiate(HttpContext http, IReadOnlyList<string> served)
    {
        if (!http.WebSockets.IsWebSocketRequest)
            throw new ApiErrorException(ApiError.BadRequest("Upgrade request required: this server streams over WebSocket (subprotocols " + string.Join(", ", served) + ")"));
        var offered = http.WebSockets.WebSocketRequestedProtocols;
        if (offered.Count == 0) return null;
        return offered.FirstOrDefault(served.Contains)
            ?? throw new ApiErrorException(ApiError.BadRequest($"requested protocol(s) are not supported: [{string.Join(" ", offered)}]; supports [{string.Join(" ", served)}]"));
    }

    private static string NodeOf(JsonObject pod, string name) =>
        pod["spec"]?["nodeName"]?.GetValue<string>() is { Length: > 0 } node
            ? node
            : throw new ApiErrorException(ApiError.BadRequest($"pod {name} does not have a host assigned"));

    /// <summary>The named container, or the only one; 400 as the API server answers otherwise.</summary>
    private static string ContainerOf(JsonObject pod, string name, string container) => PodContainerNames.Resolve(pod, name, container);
}

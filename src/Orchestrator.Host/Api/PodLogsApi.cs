using System.Text.Json.Nodes;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Orchestrator.Cluster.Logs;
using Orchestrator.Cluster.Membership;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.NodeAgent.Hosting;
using Orchestrator.NodeAgent.Logs;
using Orchestrator.Runtime;

namespace Orchestrator.Host.Api;

/// <summary>
/// <c>GET /api/v1/namespaces/{ns}/pods/{name}/log?container=&amp;follow=&amp;tailLines=&amp;previous=&amp;timestamps=</c>,
/// what <c>kubectl logs [-f]</c> calls. Served from the engine when the pod runs on this member's
/// node; otherwise forwarded to the member that runs it (its address is in the
/// Node's <c>orchestrator.io/member</c> annotation) over the cluster's own connections (see
/// <see cref="PodLogRequest"/>): members never call each other's HTTPS API, so no certificate needs
/// trusting and the caller's bearer token never leaves this member.
/// Output is plain text, one line per line written, stdout and stderr interleaved as the engine has them.
/// </summary>
internal sealed class PodLogsApi(ResourceStore store, LocalNode localNode, ActorSystem system, NodeMembers members, ILogger<PodLogsApi> log)
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
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Bad input is a 4xx above: this is the product's own fault.
            log.LogError(e, "{Method} {Path} failed (correlation id {CorrelationId})", http.Request.Method, http.Request.Path, http.TraceIdentifier);
            await ResourceApi.WriteError(http, ApiError.Internal($"Internal error occurred: {e.GetType().Name} (correlation id {http.TraceIdentifier}, in the node's log)"));
        }
    }

    private async Task Serve(HttpContext http, string ns, string name)
    {
        var query = http.Request.Query;
        // Parameters first, as the API server converts them before looking anything up.
        var tailLines = QueryParameters.Long(http, "tailLines", min: 0);
        QueryParameters.Long(http, "limitBytes", min: 1);
        QueryParameters.Long(http, "sinceSeconds", min: 1);
        bool previous = QueryParameters.Bool(http, "previous"), follow = QueryParameters.Bool(http, "follow"), timestamps = QueryParameters.Bool(http, "timestamps");
        var pod = await store.Get(PodKind.Instance, ns, name, http.RequestAborted);
        var nodeName = (pod["spec"] as JsonObject).GetString("nodeName");
        if (string.IsNullOrEmpty(nodeName))
            throw new ApiErrorException(ApiError.BadRequest($"pod {name} does not have a host assigned"));
        var container = PodContainerNames.Resolve(pod, name, query["container"].ToString());

        int? tail = tailLines is { } t ? (int)Math.Min(t, int.MaxValue) : null;
        var request = new PodLogRequest(ns, name, pod.Uid() ?? "", container, previous, follow, tail, timestamps);
        if (!localNode.Settings.Enabled || nodeName != localNode.Name)
        {
            await Forward(http, nodeName, request);
            return;
        }

        var lines = await new PodLogReader(localNode.Runtime).OpenAsync(request, http.RequestAborted);
        http.Response.StatusCode = 200;
        http.Response.ContentType = "text/plain";
        await http.Response.StartAsync(http.RequestAborted);
        await foreach (var line in lines)
        {
            await http.Response.WriteAsync(line + "\n", http.RequestAborted);
            if (request.Follow) await http.Response.Body.FlushAsync(http.RequestAborted);
        }
    }

    /// <summary>
    /// Asks the log server of the member whose node agent runs the pod (the Node's
    /// <c>orchestrator.io/member</c>, which must be Up in the cluster) and streams its answer back.
    /// </summary>
    private async Task Forward(HttpContext http, string nodeName, PodLogRequest request)
    {
        var target = await members.ResolveAsync(nodeName, "its logs", http.RequestAborted);

        var channel = Channel.CreateUnbounded<(object Message, IActorRef Session)>();
        var receiver = system.ActorOf(Props.Create(() => new LogReceiver(channel.Writer)));
        try
        {
            system.ActorSelection(new RootActorPath(target) / "user" / PodLogPaths.ServerName).Tell(request, receiver);
            object first;
            using (var answer = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted))
            {
                answer.CancelAfter(FirstAnswerTimeout);
                try
                {
                    first = (await channel.Reader.ReadAsync(answer.Token)).Message;
                }
                catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
                {
                    throw new ApiErrorException(ApiError.Timeout($"node {nodeName} (member {target}) did not answer for logs within {FirstAnswerTimeout.TotalSeconds:0}s"));
                }
            }
            if (first is PodLogEnded { Error: { } error }) throw new ApiErrorException(error);
            http.Response.StatusCode = 200;
            http.Response.ContentType = "text/plain";
            await http.Response.StartAsync(http.RequestAborted);
            if (first is PodLogEnded) return;
            while (true)
            {
                var (message, session) = await channel.Reader.ReadAsync(http.RequestAborted);
                if (message is not PodLogLines batch) return; // ended (after a 200 an error can only end the stream)
                foreach (var line in batch.Lines) await http.Response.WriteAsync(line + "\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                session.Tell(new PodLogAck(batch.Sequence), receiver);
            }
        }
        finally
        {
            system.Stop(receiver); // the session watches it and stops reading
        }
    }

    private static readonly TimeSpan FirstAnswerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Receives a remote session's messages into a channel the HTTP response reads; watches the session.</summary>
    private sealed class LogReceiver : ReceiveActor
    {
        public LogReceiver(ChannelWriter<(object Message, IActorRef Session)> writer)
        {
            Receive<PodLogOpened>(m =>
            {
                Context.Watch(Sender);
                writer.TryWrite((m, Sender));
            });
            Receive<PodLogLines>(m => writer.TryWrite((m, Sender)));
            Receive<PodLogEnded>(m =>
            {
                Context.Unwatch(Sender);
                writer.TryWrite((m, Sender));
            });
            Receive<Terminated>(t => writer.TryWrite((new PodLogEnded(ApiError.ServiceUnavailable("the member serving the logs went away")), t.ActorRef)));
        }
    }
}

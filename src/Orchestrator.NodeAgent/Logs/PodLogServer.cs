using Akka.Actor;
using Orchestrator.Cluster.Logs;
using Orchestrator.Domain.Resources;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Logs;

/// <summary>
/// The logs of this member's pods served to other members: one <see cref="PodLogSession"/> per
/// request under the <see cref="Cluster.Sessions.SessionServer{TRequest}"/> named
/// <see cref="PodLogPaths.ServerName"/>. See <see cref="PodLogRequest"/> for the protocol.
/// </summary>
public static class PodLogServer
{
    public static Props Props(PodLogReader reader) =>
        Cluster.Sessions.SessionServer<PodLogRequest>.Props((request, requester) => PodLogSession.Props(request, requester, reader));
}

/// <summary>
/// Streams one container's lines to one requester, a batch at a time (the next batch goes once the
/// last was acknowledged, so a slow reader never floods a mailbox). Ends when the logs end, when the
/// requester stops (it is watched: a closed HTTP request or a dead member) or on an error.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The token source is disposed in PostStop, the actor's end of life.")]
public sealed class PodLogSession : ReceiveActor
{
    /// <summary>Most lines in one batch.</summary>
    public const int MaxBatchLines = 500;

    /// <summary>Most characters in one batch (a batch is one remoting message; keep it well below its frame size).</summary>
    public const int MaxBatchChars = 64 * 1024;

    private sealed record Finished;

    private readonly PodLogRequest _request;
    private readonly IActorRef _requester;
    private readonly PodLogReader _reader;
    private readonly CancellationTokenSource _stop = new();
    private readonly System.Threading.Channels.Channel<long> _acks = System.Threading.Channels.Channel.CreateUnbounded<long>();

    public PodLogSession(PodLogRequest request, IActorRef requester, PodLogReader reader)
    {
        _request = request;
        _requester = requester;
        _reader = reader;
        Receive<PodLogAck>(ack => _acks.Writer.TryWrite(ack.Sequence));
        Receive<Terminated>(_ => Context.Stop(Self));
        Receive<Finished>(_ => Context.Stop(Self));
    }

    public static Props Props(PodLogRequest request, IActorRef requester, PodLogReader reader) =>
        Akka.Actor.Props.Create(() => new PodLogSession(request, requester, reader));

    protected override void PreStart()
    {
        Context.Watch(_requester);
        var self = Self;
        _ = Task.Run(() => Stream(self));
    }

    protected override void PostStop()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private async Task Stream(IActorRef self)
    {
        var ct = _stop.Token;
        ApiError? error = null;
        try
        {
            var lines = await _reader.OpenAsync(_request, ct);
            _requester.Tell(new PodLogOpened(), self);
            await using var e = lines.GetAsyncEnumerator(ct);
            var sequence = 0L;
            var more = await e.MoveNextAsync();
            while (more)
            {
                // A batch: what is available now, up to the limits (a following stream sends each
                // line as soon as it comes, since the next one is not there yet).
                var batch = new List<string>();
                var chars = 0;
                do
                {
                    batch.Add(e.Current);
                    chars += e.Current.Length;
                    var next = e.MoveNextAsync();
                    if (!next.IsCompleted && batch.Count > 0)
                    {
                        await Send(batch, ++sequence, self, ct);
                        batch = [];
                        chars = 0;
                    }
                    more = await next;
                }
                while (more && batch.Count < MaxBatchLines && chars < MaxBatchChars);
                if (batch.Count > 0) await Send(batch, ++sequence, self, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return; // the requester is gone: nobody to tell
        }
        catch (ApiErrorException e)
        {
            error = e.Error;
        }
        catch (ContainerRuntimeException e)
        {
            error = ApiError.Internal(e.Message);
        }
        _requester.Tell(new PodLogEnded(error), self);
        self.Tell(new Finished());
    }

    private async Task Send(List<string> batch, long sequence, IActorRef self, CancellationToken ct)
    {
        _requester.Tell(new PodLogLines(sequence, batch), self);
        while (await _acks.Reader.ReadAsync(ct) != sequence)
        {
        }
    }
}

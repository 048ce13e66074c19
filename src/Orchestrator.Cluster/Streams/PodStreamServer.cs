using System.Threading.Channels;
using Akka.Actor;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Streams;

/// <summary>
/// The exec, attach and port connections this member serves to other members: one
/// <see cref="PodStreamSessionActor"/> per request under the
/// <see cref="Sessions.SessionServer{TRequest}"/> named <see cref="PodStreamPaths.ServerName"/>.
/// See <see cref="PodStreamPaths"/> for the protocol.
/// </summary>
public static class PodStreamServer
{
    public static Props Props(IPodStreamOpener opener) =>
        Sessions.SessionServer<PodStreamRequest>.Props((request, requester) => PodStreamSessionActor.Props(request, requester, opener));
}

/// <summary>
/// One remote session: opens it through the opener, pumps its output to the requester (at most
/// <see cref="PodStreamPaths.Window"/> unacknowledged) and the requester's input into it, in order.
/// Ends when the session ends or the requester stops (it is watched).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The token source and semaphore are disposed in PostStop, the actor's end of life.")]
public sealed class PodStreamSessionActor : ReceiveActor
{
    private sealed record Finished;

    private readonly PodStreamRequest _request;
    private readonly IActorRef _requester;
    private readonly IPodStreamOpener _opener;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _outputWindow = new(PodStreamPaths.Window, PodStreamPaths.Window);
    private readonly Channel<object> _input = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource<IPodStreamSession?> _session = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PodStreamSessionActor(PodStreamRequest request, IActorRef requester, IPodStreamOpener opener)
    {
        _request = request;
        _requester = requester;
        _opener = opener;
        Receive<PodStreamAck>(_ => _outputWindow.Release());
        Receive<PodStreamInput>(m => _input.Writer.TryWrite(m));
        Receive<PodStreamInputClosed>(m => _input.Writer.TryWrite(m));
        Receive<PodStreamResized>(m => _input.Writer.TryWrite(m));
        Receive<Terminated>(_ => Context.Stop(Self));
        Receive<Finished>(_ => Context.Stop(Self));
    }

    public static Props Props(PodStreamRequest request, IActorRef requester, IPodStreamOpener opener) =>
        Akka.Actor.Props.Create(() => new PodStreamSessionActor(request, requester, opener));

    protected override void PreStart()
    {
        Context.Watch(_requester);
        var self = Self;
        _ = Task.Run(() => PumpOutput(self));
        _ = Task.Run(() => PumpInput(self));
    }

    protected override void PostStop()
    {
        _stop.Cancel();
        _input.Writer.TryComplete();
        _ = _session.Task.ContinueWith(static t => t.Result?.DisposeAsync().AsTask(), TaskScheduler.Default);
        _session.TrySetResult(null);
        _stop.Dispose();
        _outputWindow.Dispose();
    }

    private async Task PumpOutput(IActorRef self)
    {
        var ct = _stop.Token;
        try
        {
            IPodStreamSession session;
            try
            {
                session = await _opener.OpenAsync(_request, ct);
            }
            catch (ApiErrorException e)
            {
                _session.TrySetResult(null);
                _requester.Tell(new PodStreamClosed(null, null, e.Error), self);
                self.Tell(new Finished());
                return;
            }
            if (!_session.TrySetResult(session))
            {
                await session.DisposeAsync(); // stopped while opening
                return;
            }
            _requester.Tell(new PodStreamOpened(), self);
            var sequence = 0L;
            while (await session.ReadAsync(ct) is { } chunk)
            {
                await _outputWindow.WaitAsync(ct);
                _requester.Tell(new PodStreamOutput(++sequence, chunk.Channel, chunk.Data), self);
            }
            var end = await session.EndAsync(ct);
            _requester.Tell(new PodStreamClosed(end.ExitCode, end.Error, null), self);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && ct.IsCancellationRequested)
        {
            return; // the requester is gone: nobody to tell
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _session.TrySetResult(null);
            _requester.Tell(new PodStreamClosed(null, e.Message, null), self);
        }
        self.Tell(new Finished());
    }

    private async Task PumpInput(IActorRef self)
    {
        var ct = _stop.Token;
        try
        {
            if (await _session.Task is not { } session) return;
            await foreach (var message in _input.Reader.ReadAllAsync(ct))
            {
                switch (message)
                {
                    case PodStreamInput input:
                        await session.WriteAsync(input.Data, ct);
                        _requester.Tell(new PodStreamAck(input.Sequence), self);
                        break;
                    case PodStreamInputClosed:
                        await session.CloseInputAsync(ct);
                        break;
                    case PodStreamResized resized:
                        await session.ResizeAsync(resized.Width, resized.Height, ct);
                        break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && ct.IsCancellationRequested)
        {
        }
    }
}

using System.Threading.Channels;
using Akka.Actor;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Streams;

/// <summary>
/// A session whose pod runs on another member: the request goes to that member's
/// <see cref="PodStreamServer"/> and the bytes travel as <see cref="PodStreamPaths"/> describes.
/// </summary>
public sealed class RemotePodStreamSession : IPodStreamSession
{
    /// <summary>How long the other member may take to open the exec or the connection.</summary>
    public static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(15);

    private readonly ActorSystem _system;
    private readonly IActorRef _receiver;
    private readonly Channel<(object Message, IActorRef Sender)> _inbox;
    private readonly SemaphoreSlim _inputWindow = new(PodStreamPaths.Window, PodStreamPaths.Window);
    private readonly string _member;
    private IActorRef _session = ActorRefs.Nobody;
    private long _inputSequence;
    private PodStreamEnd? _end;

    private RemotePodStreamSession(ActorSystem system, string member)
    {
        _system = system;
        _member = member;
        _inbox = Channel.CreateUnbounded<(object, IActorRef)>();
        _receiver = system.ActorOf(Props.Create(() => new Receiver(_inbox.Writer, _inputWindow)));
    }

    /// <summary>Asks the member at <paramref name="member"/> to open <paramref name="request"/>; throws <see cref="ApiErrorException"/> when it cannot.</summary>
    public static async Task<RemotePodStreamSession> OpenAsync(ActorSystem system, Address member, PodStreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(member);
        var session = new RemotePodStreamSession(system, member.ToString());
        try
        {
            system.ActorSelection(new RootActorPath(member) / "user" / PodStreamPaths.ServerName).Tell(request, session._receiver);
            using var answer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            answer.CancelAfter(OpenTimeout);
            (object Message, IActorRef Sender) first;
            try
            {
                first = await session._inbox.Reader.ReadAsync(answer.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ApiErrorException(ApiError.Timeout($"the member {member} running pod {request.Namespace}/{request.Pod} did not answer within {OpenTimeout.TotalSeconds:0}s"));
            }
            switch (first.Message)
            {
                case PodStreamOpened:
                    session._session = first.Sender;
                    return session;
                case PodStreamClosed { OpenError: { } error }:
                    throw new ApiErrorException(error);
                case PodStreamClosed closed:
                    throw new ApiErrorException(ApiError.Internal(closed.Error ?? "the session ended before it opened"));
                default:
                    throw new ApiErrorException(ApiError.ServiceUnavailable($"the member {member} running pod {request.Namespace}/{request.Pod} went away"));
            }
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    public async ValueTask<PodStreamChunk?> ReadAsync(CancellationToken cancellationToken)
    {
        if (_end is not null) return null;
        var (message, _) = await _inbox.Reader.ReadAsync(cancellationToken);
        switch (message)
        {
            case PodStreamOutput output:
                _session.Tell(new PodStreamAck(output.Sequence), _receiver);
                return new PodStreamChunk(output.Channel, output.Data);
            case PodStreamClosed closed:
                _end = new PodStreamEnd(closed.ExitCode, closed.Error ?? closed.OpenError?.Message);
                return null;
            default:
                _end = PodStreamEnd.Failed($"lost the connection to the member {_member} running the pod");
                return null;
        }
    }

    public Task<PodStreamEnd> EndAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_end ?? throw new InvalidOperationException("the output has not ended yet"));

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < data.Length; offset += PodStreamPaths.MaxChunkBytes)
        {
            var piece = data.Slice(offset, Math.Min(PodStreamPaths.MaxChunkBytes, data.Length - offset));
            await _inputWindow.WaitAsync(cancellationToken);
            _session.Tell(new PodStreamInput(Interlocked.Increment(ref _inputSequence), piece.ToArray()), _receiver);
        }
    }

    public ValueTask CloseInputAsync(CancellationToken cancellationToken)
    {
        _session.Tell(new PodStreamInputClosed(), _receiver);
        return ValueTask.CompletedTask;
    }

    public ValueTask ResizeAsync(int width, int height, CancellationToken cancellationToken)
    {
        _session.Tell(new PodStreamResized(width, height), _receiver);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _system.Stop(_receiver); // the session watches it and ends
        return ValueTask.CompletedTask;
    }

    /// <summary>Receives the remote session's messages; input acknowledgements open the window; watches the session.</summary>
    private sealed class Receiver : ReceiveActor
    {
        public Receiver(ChannelWriter<(object, IActorRef)> inbox, SemaphoreSlim inputWindow)
        {
            Receive<PodStreamOpened>(m =>
            {
                Context.Watch(Sender);
                inbox.TryWrite((m, Sender));
            });
            Receive<PodStreamOutput>(m => inbox.TryWrite((m, Sender)));
            Receive<PodStreamAck>(_ =>
            {
                try
                {
                    inputWindow.Release();
                }
                catch (SemaphoreFullException)
                {
                    // an acknowledgement for nothing outstanding: ignore
                }
            });
            Receive<PodStreamClosed>(m =>
            {
                Context.Unwatch(Sender);
                inbox.TryWrite((m, Sender));
            });
            Receive<Terminated>(t => inbox.TryWrite((t, t.ActorRef)));
        }
    }
}

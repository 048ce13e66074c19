using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Streams;

// The protocol between the member that holds a client's exec / attach / port-forward connection
// and the member whose node agent runs the pod (its actor PodStreamPaths.ServerName). Bytes travel
// over the cluster's own connections, as logs do: no member calls another's HTTPS API and the
// caller's bearer token never leaves the member that checked it.
//
//   requester ──PodStreamRequest──► server ─spawns─► session (opens the exec / the socket)
//   requester ◄──PodStreamOpened── session                (or PodStreamClosed(OpenError): answered as HTTP)
//   requester ◄──PodStreamOutput(n)── session ◄──PodStreamAck(n)── requester   (at most Window unacknowledged)
//   requester ──PodStreamInput(n)──► session ──PodStreamAck(n)──► requester    (same window the other way)
//   requester ──PodStreamInputClosed / PodStreamResized──► session             (in order with the input)
//   requester ◄──PodStreamClosed(exit code | error)── session
// The session watches the requester and ends when it stops (client gone, member down); the
// requester watches the session likewise.

/// <summary>Where members find each other's stream server, and the protocol's constants.</summary>
public static class PodStreamPaths
{
    /// <summary>The name of the stream server actor under /user on every member with a node agent.</summary>
    public const string ServerName = "pod-streams";

    /// <summary>Messages in flight, each way, before the sender waits for acknowledgements.</summary>
    public const int Window = 8;

    /// <summary>Most bytes in one message (well below the remoting frame size).</summary>
    public const int MaxChunkBytes = 32 * 1024;
}

/// <summary>The session is open; the requester may send input.</summary>
public sealed record PodStreamOpened : IClusterMessage;

/// <summary>Output of the session: channel 1 stdout or port data, 2 stderr.</summary>
public sealed record PodStreamOutput(long Sequence, int Channel, byte[] Data) : IClusterMessage;

/// <summary>Input for the session (stdin, or bytes to the port).</summary>
public sealed record PodStreamInput(long Sequence, byte[] Data) : IClusterMessage;

/// <summary>No more input.</summary>
public sealed record PodStreamInputClosed : IClusterMessage;

/// <summary>The client's terminal has a new size.</summary>
public sealed record PodStreamResized(int Width, int Height) : IClusterMessage;

/// <summary>The output or input message of that sequence number has been taken.</summary>
public sealed record PodStreamAck(long Sequence) : IClusterMessage;

/// <summary>The end: how the session ended, or (<see cref="OpenError"/>) why it could not be opened.</summary>
public sealed record PodStreamClosed(int? ExitCode, string? Error, ApiError? OpenError) : IClusterMessage;

using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Logs;

// The protocol between the member that serves a `kubectl logs` request and the member whose node
// agent runs the pod (its actor at PodLogPaths.Server). Logs travel over the cluster's own
// connections, so members never call each other's HTTPS API (no certificates to trust, no bearer
// token leaves the member that checked it).
//
//   requester ──PodLogRequest──► server ─spawns─► session
//   requester ◄──PodLogOpened── session                   (or PodLogEnded(error): 400/404 as local)
//   requester ◄──PodLogLines(n)── session ◄──PodLogAck(n)── requester   (one batch in flight)
//   requester ◄──PodLogEnded── session                    (end of logs; or the requester stops:
//                                                            the session sees Terminated and ends)

/// <summary>Where members find each other's log server.</summary>
public static class PodLogPaths
{
    /// <summary>The name of the log server actor under /user on every member with a node agent.</summary>
    public const string ServerName = "pod-logs";
}

/// <summary>Asks a member for the logs of one container of a pod on its node; the sender receives the stream.</summary>
public sealed record PodLogRequest(
    string Namespace,
    string Pod,
    string Uid,
    string Container,
    bool Previous,
    bool Follow,
    int? TailLines,
    bool Timestamps) : IClusterMessage;

/// <summary>The container was found; lines follow (the HTTP answer can start).</summary>
public sealed record PodLogOpened : IClusterMessage;

/// <summary>A batch of lines (without line endings); acknowledged with <see cref="PodLogAck"/> of the same sequence number.</summary>
public sealed record PodLogLines(long Sequence, IReadOnlyList<string> Lines) : IClusterMessage;

/// <summary>The requester has written a batch out and wants the next.</summary>
public sealed record PodLogAck(long Sequence) : IClusterMessage;

/// <summary>The end of the stream: null error when the logs ended, otherwise why they cannot be served.</summary>
public sealed record PodLogEnded(ApiError? Error) : IClusterMessage;

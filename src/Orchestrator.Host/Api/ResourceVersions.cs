using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Host.Api;

/// <summary>
/// A list or watch from a resourceVersion beyond the journal's head, answered as Kubernetes' watch
/// cache does: wait up to 3 seconds for the head to get there, then "Too large resource version"
/// (504 Timeout with the cause ResourceVersionTooLarge; for a watch as its ERROR event).
/// </summary>
internal static class ResourceVersions
{
    /// <summary>How long Kubernetes waits for a resourceVersion beyond its head (the cacher's blockTimeout).</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>True once the journal's head is at <paramref name="wanted"/> or beyond, false if it is not within <see cref="Wait"/>.</summary>
    public static async Task<bool> ReachHead(ResourceStore store, long wanted, TimeProvider time, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + Wait;
        while (await store.Head(ct) < wanted)
        {
            if (time.GetUtcNow() >= deadline) return false;
            await Task.Delay(Poll, time, ct);
        }
        return true;
    }

    public static ApiError TooLarge(long wanted, long head) =>
        new(504, "Timeout", $"Too large resource version: {wanted}, current: {head}",
            Causes: [new ApiErrorCause("ResourceVersionTooLarge", "Too large resource version", "")]);
}

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// Best-effort writes (Events) that must not hold up the work that caused them: each runs on its
/// own, at most <c>limit</c> at once; beyond that they are dropped and counted, as Kubernetes'
/// event broadcaster drops events when its queue is full. A failed write is only counted.
/// </summary>
public sealed class BackgroundWrites(int limit)
{
    private int _inFlight;
    private long _dropped;
    private long _failed;

    /// <summary>Writes dropped because <c>limit</c> writes were in flight.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Writes that failed.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Starts <paramref name="write"/> unless <c>limit</c> writes are in flight; never throws.</summary>
    public void Post(Func<Task> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (Interlocked.Increment(ref _inFlight) > limit)
        {
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _dropped);
            return;
        }
        _ = Run(write);
    }

    private async Task Run(Func<Task> write)
    {
        try
        {
            await write();
        }
#pragma warning disable CA1031 // best effort: any failure of an event write is counted, never raised
        catch (Exception)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _failed);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}

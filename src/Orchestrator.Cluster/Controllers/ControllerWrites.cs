using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// How the scheduler and the controllers treat writes that may fail without failing their sync:
/// a write to an object that is gone meanwhile (<see cref="IgnoreGone"/>), a best-effort write
/// such as an Event (<see cref="BestEffort"/>, <see cref="RecordEvent"/>), and best-effort writes
/// that must not even be awaited (<see cref="BackgroundWrites"/>).
/// </summary>
public static class ControllerWrites
{
    /// <summary>Awaits a write whose object may be gone meanwhile: 404 is as good as done.</summary>
    public static async Task IgnoreGone(Task write)
    {
        ArgumentNullException.ThrowIfNull(write);
        try
        {
            await write;
        }
        catch (ApiErrorException e) when (e.Error.Code == 404)
        {
        }
    }

    /// <summary>Awaits a best-effort write (an Event, a status the next attempt writes again): a refusal is no reason to fail the sync.</summary>
    public static async Task BestEffort(Task write)
    {
        ArgumentNullException.ThrowIfNull(write);
        try
        {
            await write;
        }
        catch (ApiErrorException)
        {
        }
    }

    /// <summary>Writes an Event about <paramref name="involved"/>, best effort.</summary>
    public static Task RecordEvent(IControllerStore store, JsonObject involved, string type, string reason, string message, string component, DateTimeOffset now, CancellationToken ct) =>
        BestEffort(EventRecorder.Record(store, involved, type, reason, message, component, now, ct));

    /// <summary>How a failed write reads in a log line.</summary>
    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e is ApiErrorException api ? $"{api.Error.Code} {api.Error.Message}" : e.Message;
    }
}

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

    /// <summary>Starts <paramref name="write"/> unless <c>limit</c> writes are in flight (then false: dropped); never throws.</summary>
    public bool Post(Func<Task> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (Interlocked.Increment(ref _inFlight) > limit)
        {
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _dropped);
            return false;
        }
        _ = Run(write);
        return true;
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

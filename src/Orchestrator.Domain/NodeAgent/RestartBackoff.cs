namespace Orchestrator.Domain.NodeAgent;

/// <summary>
/// Kubernetes' CrashLoopBackOff: how long the node agent waits before restarting a container that
/// exited. The delay starts at <see cref="Initial"/> and doubles with every exit in a row, up to
/// <see cref="Max"/>; a container that ran at least <see cref="ResetAfter"/> before exiting starts
/// over at <see cref="Initial"/>. Pure: all times are arguments.
/// </summary>
/// <remarks>
/// <code>
///   exit #1 -> wait 10 s -> run -> exit #2 -> wait 20 s -> ... -> exit #n -> wait min(10 s * 2^(n-1), 5 min)
///   an exit after a run of >= 10 min counts as exit #1 again
/// </code>
/// </remarks>
/// <param name="Initial">The delay after the first exit (Kubernetes: 10 s).</param>
/// <param name="Max">The longest delay (Kubernetes: 5 min).</param>
/// <param name="ResetAfter">A run at least this long resets the delay to <see cref="Initial"/> (Kubernetes: 10 min).</param>
public sealed record RestartBackoff(TimeSpan Initial, TimeSpan Max, TimeSpan ResetAfter)
{
    /// <summary>The node agent's values: 10 s doubling to 5 min, reset after 10 min of running.</summary>
    public static RestartBackoff Kubernetes { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10));

    public TimeSpan Initial { get; } = Initial > TimeSpan.Zero
        ? Initial
        : throw new ArgumentOutOfRangeException(nameof(Initial), Initial, "the initial delay must be positive");

    public TimeSpan Max { get; } = Max >= Initial
        ? Max
        : throw new ArgumentOutOfRangeException(nameof(Max), Max, "the longest delay must not be shorter than the initial one");

    public TimeSpan ResetAfter { get; } = ResetAfter > TimeSpan.Zero
        ? ResetAfter
        : throw new ArgumentOutOfRangeException(nameof(ResetAfter), ResetAfter, "the reset time must be positive");

    /// <summary>The delay after the <paramref name="consecutiveExits"/>-th exit in a row (1 for the first).</summary>
    public TimeSpan DelayAfter(int consecutiveExits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(consecutiveExits, 1);
        var delay = Initial;
        for (var i = 1; i < consecutiveExits && delay < Max; i++)
            delay = delay > Max / 2 ? Max : delay * 2;
        return delay < Max ? delay : Max;
    }

    /// <summary>
    /// The backoff after a container that ran from <paramref name="startedAt"/> to
    /// <paramref name="finishedAt"/> exited, given the backoff after its previous exit (null if none).
    /// </summary>
    public BackoffState AfterExit(BackoffState? previous, DateTimeOffset startedAt, DateTimeOffset finishedAt)
    {
        var ranLongEnough = finishedAt - startedAt >= ResetAfter;
        var exits = previous is null || ranLongEnough ? 1 : previous.ConsecutiveExits + 1;
        var delay = DelayAfter(exits);
        return new BackoffState(exits, delay, finishedAt + delay);
    }
}

/// <summary>Where a container stands in its restart backoff.</summary>
/// <param name="ConsecutiveExits">Exits in a row without a run long enough to reset (1 after the first).</param>
/// <param name="Delay">The delay imposed after the last exit.</param>
/// <param name="RestartAt">When the container may be started again: its last exit plus <paramref name="Delay"/>.</param>
public sealed record BackoffState(int ConsecutiveExits, TimeSpan Delay, DateTimeOffset RestartAt)
{
    /// <summary>True while the container must not be restarted yet (Kubernetes reports <c>CrashLoopBackOff</c>).</summary>
    public bool IsBackingOff(DateTimeOffset now) => now < RestartAt;

    /// <summary>How long until it may be restarted; zero when it may be now.</summary>
    public TimeSpan Remaining(DateTimeOffset now) => now < RestartAt ? RestartAt - now : TimeSpan.Zero;
}

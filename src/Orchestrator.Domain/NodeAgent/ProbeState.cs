namespace Orchestrator.Domain.NodeAgent;

/// <summary>What a probe decides: restart (liveness), readiness, or when the others may start (startup).</summary>
public enum ProbeKind
{
    Liveness,
    Readiness,
    Startup,
}

/// <summary>A probe's current verdict on a container.</summary>
public enum ProbeResult
{
    /// <summary>Not known yet (a startup probe before its verdict).</summary>
    Unknown,
    Success,
    Failure,
}

/// <summary>A probe's timing and thresholds, as in a Kubernetes container spec (all in seconds or counts).</summary>
/// <param name="InitialDelaySeconds">Seconds after the container started before the first probe (0 or more).</param>
/// <param name="PeriodSeconds">Seconds between probes (1 or more; Kubernetes' default 10).</param>
/// <param name="TimeoutSeconds">Seconds a probe may take before it counts as failed (1 or more; default 1).</param>
/// <param name="SuccessThreshold">Successes in a row that turn the result to Success (1 or more; must be 1 for liveness and startup).</param>
/// <param name="FailureThreshold">Failures in a row that turn the result to Failure (1 or more; default 3).</param>
public sealed record ProbeSettings(
    int InitialDelaySeconds = 0,
    int PeriodSeconds = 10,
    int TimeoutSeconds = 1,
    int SuccessThreshold = 1,
    int FailureThreshold = 3)
{
    public int InitialDelaySeconds { get; } = InitialDelaySeconds >= 0
        ? InitialDelaySeconds
        : throw new ArgumentOutOfRangeException(nameof(InitialDelaySeconds), InitialDelaySeconds, "must be 0 or more");

    public int PeriodSeconds { get; } = PeriodSeconds >= 1
        ? PeriodSeconds
        : throw new ArgumentOutOfRangeException(nameof(PeriodSeconds), PeriodSeconds, "must be 1 or more");

    public int TimeoutSeconds { get; } = TimeoutSeconds >= 1
        ? TimeoutSeconds
        : throw new ArgumentOutOfRangeException(nameof(TimeoutSeconds), TimeoutSeconds, "must be 1 or more");

    public int SuccessThreshold { get; } = SuccessThreshold >= 1
        ? SuccessThreshold
        : throw new ArgumentOutOfRangeException(nameof(SuccessThreshold), SuccessThreshold, "must be 1 or more");

    public int FailureThreshold { get; } = FailureThreshold >= 1
        ? FailureThreshold
        : throw new ArgumentOutOfRangeException(nameof(FailureThreshold), FailureThreshold, "must be 1 or more");

    /// <summary><see cref="TimeoutSeconds"/> as a time span, for the probe's own deadline.</summary>
    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);
}

/// <summary>
/// One probe of one container run: its verdict and the counts that move it. Pure: the caller runs
/// the probe when <see cref="IsDue"/> says so and feeds the outcome to <see cref="Record"/>; a new
/// container run starts from <see cref="Initial"/> again.
/// </summary>
/// <remarks>
/// The verdict starts as Kubernetes' prober starts it: Success for liveness (a container is alive
/// until proven otherwise), Failure for readiness (not ready until proven), Unknown for startup.
/// <code>
///                  SuccessThreshold successes in a row
///   (initial) ---------------------------------------------> Success
///       |      &lt;--------------------------------------------    |
///       |            FailureThreshold failures in a row          |
///       +-----------------------------------------------> Failure
/// </code>
/// A run shorter than its threshold keeps the verdict as it was. A timed-out probe is a failure.
/// </remarks>
/// <param name="Kind">Which probe.</param>
/// <param name="Settings">Its timing and thresholds.</param>
/// <param name="Result">The current verdict.</param>
/// <param name="ConsecutiveSuccesses">Successes in a row up to the last probe.</param>
/// <param name="ConsecutiveFailures">Failures in a row up to the last probe.</param>
/// <param name="LastProbeAt">When the last probe was recorded; null before the first.</param>
public sealed record ProbeState(
    ProbeKind Kind,
    ProbeSettings Settings,
    ProbeResult Result,
    int ConsecutiveSuccesses,
    int ConsecutiveFailures,
    DateTimeOffset? LastProbeAt)
{
    /// <summary>The state of a probe before its first run on a new container.</summary>
    /// <exception cref="ArgumentException">A liveness or startup probe with a success threshold other than 1 (Kubernetes refuses it).</exception>
    public static ProbeState Initial(ProbeKind kind, ProbeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (kind is ProbeKind.Liveness or ProbeKind.Startup && settings.SuccessThreshold != 1)
            throw new ArgumentException($"a {kind.ToString().ToLowerInvariant()} probe's successThreshold must be 1, not {settings.SuccessThreshold}", nameof(settings));
        var result = kind switch
        {
            ProbeKind.Liveness => ProbeResult.Success,
            ProbeKind.Readiness => ProbeResult.Failure,
            _ => ProbeResult.Unknown,
        };
        return new ProbeState(kind, settings, result, 0, 0, null);
    }

    /// <summary>When the next probe is due: the initial delay after the container started, then every period after the last one.</summary>
    public DateTimeOffset NextProbeAt(DateTimeOffset containerStartedAt) =>
        LastProbeAt is { } last
            ? last + TimeSpan.FromSeconds(Settings.PeriodSeconds)
            : containerStartedAt + TimeSpan.FromSeconds(Settings.InitialDelaySeconds);

    /// <summary>True when a probe should run at <paramref name="now"/>.</summary>
    public bool IsDue(DateTimeOffset containerStartedAt, DateTimeOffset now) => now >= NextProbeAt(containerStartedAt);

    /// <summary>The state after a probe at <paramref name="at"/> succeeded or failed (a timeout is a failure).</summary>
    public ProbeState Record(bool succeeded, DateTimeOffset at)
    {
        var successes = succeeded ? ConsecutiveSuccesses + 1 : 0;
        var failures = succeeded ? 0 : ConsecutiveFailures + 1;
        var result = Result;
        if (succeeded && successes >= Settings.SuccessThreshold)
            result = ProbeResult.Success;
        else if (!succeeded && failures >= Settings.FailureThreshold)
            result = ProbeResult.Failure;
        return this with
        {
            Result = result,
            ConsecutiveSuccesses = successes,
            ConsecutiveFailures = failures,
            LastProbeAt = at,
        };
    }
}

using System.Data.Common;
using Akka.Configuration;
using Orchestrator.Domain.Controllers;

namespace Orchestrator.Cluster.Journal;

/// <summary>Settings of the journal probe, read once from <c>orchestrator.journal-health</c>.</summary>
public sealed record JournalHealthSettings(TimeSpan ProbeInterval, TimeSpan ProbeTimeout, int KeepOutages)
{
    public static JournalHealthSettings Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 32);

    public static JournalHealthSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new(
            config.GetTimeSpan("probe-interval", Default.ProbeInterval),
            config.GetTimeSpan("probe-timeout", Default.ProbeTimeout),
            config.GetInt("keep-outages", Default.KeepOutages));
    }
}

/// <summary>
/// Whether this member's journal currently answers, and the recent spans when it did not. Fed by
/// a cheap probe query on the journal's own connection (<see cref="RunProbe"/>) and by what the
/// entities see when they persist: a failed write opens an outage at once, a successful write or
/// probe closes it. The node lifecycle controller reads it so that heartbeats the store could not
/// take are not held against the nodes, and so that a member without its journal evicts nothing.
/// </summary>
/// <remarks>
/// <code>
///   Available ──write or probe failed──► Unavailable (outage open since then)
///       ▲                                      │
///       └──── write or probe succeeded (outage closed at that time) ◄┘
/// </code>
/// Thread-safe: writes report from any thread. A success while available costs one volatile read.
/// </remarks>
public sealed class JournalHealth
{
    private readonly TimeProvider _time;
    private readonly int _keep;
    private readonly LinkedList<StoreOutage> _outages = new();
    private readonly Lock _lock = new();
    private readonly bool _ignoresReports;
    private volatile bool _available = true;

    public JournalHealth(TimeProvider time, int keepOutages = 32)
        : this(time, keepOutages, false)
    {
    }

    private JournalHealth(TimeProvider time, int keepOutages, bool ignoresReports)
    {
        _time = time;
        _keep = Math.Max(1, keepOutages);
        _ignoresReports = ignoresReports;
    }

    /// <summary>A health that ignores what it is told: always available, no outages (where no journal is watched).</summary>
    public static JournalHealth AlwaysAvailable { get; } = new(TimeProvider.System, 1, true);

    public bool Available => _available;

    /// <summary>When the current outage began (null while the journal answers).</summary>
    public DateTimeOffset? UnavailableSince
    {
        get
        {
            lock (_lock) return _outages.Last?.Value is { End: null } open ? open.Start : null;
        }
    }

    /// <summary>The most recent outages (at most <c>keep-outages</c>), oldest first; an open one has no end.</summary>
    public IReadOnlyList<StoreOutage> Outages
    {
        get
        {
            lock (_lock) return _outages.ToList();
        }
    }

    /// <summary>A write, read or probe failed: an outage opens now unless one is open already.</summary>
    public void Failed()
    {
        if (!_available || _ignoresReports) return;
        lock (_lock)
        {
            if (!_available) return;
            _outages.AddLast(new StoreOutage(_time.GetUtcNow(), null));
            while (_outages.Count > _keep) _outages.RemoveFirst();
            _available = false;
        }
    }

    /// <summary>A write, read or probe succeeded: the open outage (if any) ends now.</summary>
    public void Succeeded()
    {
        if (_available) return;
        lock (_lock)
        {
            if (_available) return;
            var last = _outages.Last!;
            last.Value = last.Value with { End = _time.GetUtcNow() };
            _available = true;
        }
    }

    /// <summary>
    /// Probes the journal every <see cref="JournalHealthSettings.ProbeInterval"/> with <c>SELECT 1</c>
    /// on a connection of the journal plugin (<paramref name="journal"/>: its config block), each try
    /// bounded by <see cref="JournalHealthSettings.ProbeTimeout"/>, until <paramref name="stop"/>.
    /// </summary>
    public Task RunProbe(Config journal, JournalHealthSettings settings, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(settings);
        var connect = SqlConnections.Factory(journal);
        return Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(settings.ProbeInterval, _time);
            do
            {
                if (await Probe(connect, settings.ProbeTimeout, stop)) Succeeded();
                else if (!stop.IsCancellationRequested) Failed();
            }
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false));
        }, stop).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>One probe: true when the journal's database answered within the timeout.</summary>
    public static async Task<bool> Probe(Func<DbConnection> connect, TimeSpan timeout, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(connect);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stop);
        bounded.CancelAfter(timeout);
        try
        {
            await using var connection = connect();
            await connection.OpenAsync(bounded.Token).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            command.CommandTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
            await command.ExecuteScalarAsync(bounded.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException || SqlConnections.IsUnavailable(e))
        {
            return false;
        }
    }
}

using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Host.Dashboard.Live;

/// <summary>
/// The objects one filter selects, kept current by the store's watch (the index pushes every
/// change; nothing polls): a page opens one per list it shows and disposes it when it goes.
/// <see cref="Changed"/> fires at most every <see cref="Coalesce"/>, so a burst of changes (the
/// first ADDED of 10,000 pods) costs a few renders, not one per event. A watch that ends (the
/// journal could not be read) starts again after a second, from a fresh list.
/// </summary>
public sealed class LiveObjects : IAsyncDisposable
{
    public static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(200);

    private readonly ConcurrentDictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _pending;

    public LiveObjects(ResourceStore store, ObjectFilter filter)
    {
        ArgumentNullException.ThrowIfNull(store);
        Filter = filter;
        _loop = Task.Run(() => Run(store, _stop.Token));
    }

    public ObjectFilter Filter { get; }

    /// <summary>Raised (on a pool thread) after changes; the page re-renders.</summary>
    public event Action? Changed;

    /// <summary>Why the watch is not running now; null while it runs.</summary>
    public string? Problem { get; private set; }

    /// <summary>Whether the watch has delivered anything yet.</summary>
    public bool Loaded { get; private set; }

    public int Count => _objects.Count;

    public IReadOnlyCollection<JsonObject> Items => (IReadOnlyCollection<JsonObject>)_objects.Values;

    public JsonObject? Find(string ns, string name) => _objects.GetValueOrDefault(ns + "/" + name);

    private async Task Run(ResourceStore store, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                _objects.Clear();
                Problem = null;
                await foreach (var e in store.Watch(Filter, null, ct))
                {
                    var key = e.Object.Namespace() + "/" + e.Object.Name();
                    if (e.Type == WatchEventType.Deleted) _objects.TryRemove(key, out _);
                    else _objects[key] = e.Object;
                    Loaded = true;
                    Signal();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (ApiErrorException e)
            {
                Problem = e.Error.Message;
                Signal();
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // One render per coalescing window: the first change of a window schedules it.
    private void Signal()
    {
        Loaded = true;
        if (Interlocked.Exchange(ref _pending, 1) == 1) return;
        _ = Task.Delay(Coalesce, _stop.Token).ContinueWith(_ =>
        {
            Interlocked.Exchange(ref _pending, 0);
            if (!_stop.IsCancellationRequested) Changed?.Invoke();
        }, TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}

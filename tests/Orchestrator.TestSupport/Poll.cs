using System.Diagnostics;

namespace Orchestrator.TestSupport;

/// <summary>
/// The one way tests wait for something that happens asynchronously: poll a condition until it
/// holds or a timeout passes, then fail naming what was awaited, the last error the probe threw
/// (when it may throw while the thing is not there yet) and whatever the test adds to explain
/// (the last object seen, a process's output). Tests inside an Akka TestKit use its own
/// <c>AwaitAssert</c> instead.
/// </summary>
public static class Poll
{
    /// <summary>How often a condition is evaluated unless the caller says otherwise.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>The errors of something not listening yet or answering slowly: connection refused, reset, a request timeout.</summary>
    public static bool Unreachable(Exception e) => e is HttpRequestException or IOException or TaskCanceledException;

    /// <summary>
    /// Evaluates <paramref name="condition"/> every <paramref name="every"/> until it holds; after
    /// <paramref name="timeout"/> throws a <see cref="TimeoutException"/> naming <paramref name="what"/>.
    /// </summary>
    /// <param name="tolerate">Exceptions of the condition that mean "not yet" (the last is named on timeout); any other fails at once.</param>
    /// <param name="detail">Text added to the timeout's message, evaluated only then.</param>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? every = null,
        Func<Exception, bool>? tolerate = null, Func<string>? detail = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var started = Stopwatch.GetTimestamp();
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception e) when (tolerate?.Invoke(e) == true)
            {
                last = e;
            }
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                var message = $"timed out after {timeout.TotalSeconds:0.#}s waiting for {what}"
                              + (last is null ? "" : $" (last error: {last.GetType().Name}: {last.Message})")
                              + (detail is null ? "" : "\n" + detail());
                throw new TimeoutException(message, last);
            }
            await Task.Delay(every ?? DefaultInterval, cancellationToken);
        }
    }

    /// <summary>As <see cref="Until(Func{Task{bool}}, TimeSpan, string, TimeSpan?, Func{Exception, bool}?, Func{string}?, CancellationToken)"/>, for a condition that needs no I/O.</summary>
    public static Task Until(Func<bool> condition, TimeSpan timeout, string what, TimeSpan? every = null,
        Func<Exception, bool>? tolerate = null, Func<string>? detail = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return Until(() => Task.FromResult(condition()), timeout, what, every, tolerate, detail, cancellationToken);
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value that is not null, and returns it.</summary>
    public static async Task<T> For<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, TimeSpan? every = null,
        Func<Exception, bool>? tolerate = null, Func<string>? detail = null, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        T? value = null;
        await Until(async () => (value = await probe()) is not null, timeout, what, every, tolerate, detail, cancellationToken);
        return value!;
    }
}

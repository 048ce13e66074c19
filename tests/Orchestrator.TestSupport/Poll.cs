namespace Orchestrator.TestSupport;

/// <summary>The one way tests wait for something that happens asynchronously: poll a condition until it holds or a timeout passes.</summary>
public static class Poll
{
    /// <summary>Polls <paramref name="condition"/> every <paramref name="every"/> (default 200 ms) until it holds; throws naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? every = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {timeout.TotalSeconds:0}s waiting for {what}");
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value that is not null, and returns it.</summary>
    public static async Task<T> For<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, TimeSpan? every = null) where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        T? value = null;
        await Until(async () => (value = await probe()) is not null, timeout, what, every);
        return value!;
    }
}

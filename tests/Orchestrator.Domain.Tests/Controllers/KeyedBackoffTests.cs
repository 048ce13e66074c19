using Microsoft.Extensions.Time.Testing;
using Orchestrator.Domain.Controllers;
using Orchestrator.TestSupport.Builders;

namespace Orchestrator.Domain.Tests.Controllers;

public class KeyedBackoffTests
{
    private readonly FakeTimeProvider _time = new(TestObjects.Now);

    [Fact]
    public void Each_failure_doubles_the_wait_up_to_the_maximum()
    {
        var backoff = new KeyedBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), _time);
        var waits = Enumerable.Range(0, 6).Select(_ => backoff.Next("a").TotalMilliseconds).ToList();
        Assert.Equal([100, 200, 400, 800, 1000, 1000], waits);
        Assert.Equal(6, backoff.Failures("a"));
    }

    [Fact]
    public void Keys_back_off_independently_and_a_reset_starts_over()
    {
        var backoff = new KeyedBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), _time);
        backoff.Next("a");
        backoff.Next("a");
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next("b"));
        Assert.Equal(TimeSpan.FromSeconds(4), backoff.Next("a"));
        backoff.Reset("a");
        Assert.Equal(0, backoff.Failures("a"));
        Assert.Equal(1, backoff.Count);
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next("a"));
    }

    [Fact]
    public void A_key_quiet_for_twice_the_maximum_starts_over()
    {
        var backoff = new KeyedBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), _time);
        for (var i = 0; i < 5; i++) backoff.Next("a");
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.FromSeconds(10), backoff.Next("a")); // exactly 2 × max: still the streak
        _time.Advance(TimeSpan.FromSeconds(20.001));
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next("a"));
        Assert.Equal(1, backoff.Failures("a"));
    }

    [Fact]
    public void The_exponent_stops_at_ten_doublings()
    {
        var backoff = new KeyedBackoff(TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1), _time);
        var last = TimeSpan.Zero;
        for (var i = 0; i < 20; i++) last = backoff.Next("a");
        Assert.Equal(TimeSpan.FromMilliseconds(1024), last);
    }

    [Fact]
    public void A_maximum_below_the_initial_wait_caps_every_wait()
    {
        var backoff = new KeyedBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500), _time);
        Assert.Equal(TimeSpan.FromMilliseconds(500), backoff.Next("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(500), backoff.Next("a"));
    }

    [Fact]
    public void An_initial_wait_of_zero_or_a_negative_maximum_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyedBackoff(TimeSpan.Zero, TimeSpan.FromSeconds(1), _time));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyedBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(-1), _time));
        Assert.Equal(TimeSpan.Zero, new KeyedBackoff(TimeSpan.FromSeconds(1), TimeSpan.Zero, _time).Next("a"));
    }
}

using System.Text.Json.Nodes;
using Orchestrator.Domain.Events;
using Orchestrator.Domain.Resources;
using Orchestrator.TestSupport.Builders;

namespace Orchestrator.Domain.Tests.Events;

public sealed class EventExpiryTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(1);
    private static readonly DateTimeOffset Now = TestObjects.Now;

    private static string At(double minutes) => ObjectMeta.FormatTime(Now.AddMinutes(minutes));

    private static JsonObject Event(string? created = null, string? last = null, string? eventTime = null, string? seriesLast = null)
    {
        var e = new JsonObject { ["kind"] = "Event", ["metadata"] = new JsonObject { ["name"] = "e", ["namespace"] = "default" } };
        if (created is not null) e.Metadata()["creationTimestamp"] = created;
        if (last is not null) e["lastTimestamp"] = last;
        if (eventTime is not null) e["eventTime"] = eventTime;
        if (seriesLast is not null) e["series"] = new JsonObject { ["count"] = 3, ["lastObservedTime"] = seriesLast };
        return e;
    }

    [Fact]
    public void An_event_expires_a_ttl_after_it_was_last_seen()
    {
        var e = Event(created: At(0), last: At(10));
        Assert.Equal(Now.AddMinutes(70), EventExpiry.ExpiresAt(e, Ttl));
    }

    [Fact]
    public void A_repeat_renews_it_whichever_field_says_so()
    {
        Assert.Equal(Now.AddMinutes(90), EventExpiry.ExpiresAt(Event(created: At(0), last: At(5), seriesLast: At(30)), Ttl));
        Assert.Equal(Now.AddMinutes(80), EventExpiry.ExpiresAt(Event(created: At(0), eventTime: At(20)), Ttl));
        // Written later than it says it happened (a late write): it lives a TTL from the write.
        Assert.Equal(Now.AddMinutes(100), EventExpiry.ExpiresAt(Event(created: At(40), last: At(5)), Ttl));
    }

    [Fact]
    public void An_event_without_a_readable_time_or_with_no_ttl_never_expires()
    {
        Assert.Null(EventExpiry.ExpiresAt(Event(last: "not a time"), Ttl));
        Assert.Null(EventExpiry.ExpiresAt(Event(), Ttl));
        Assert.Null(EventExpiry.ExpiresAt(Event(created: At(0)), TimeSpan.Zero));
        Assert.Equal(Now.AddMinutes(60), EventExpiry.ExpiresAt(Event(created: At(0), last: "garbage"), Ttl));
    }
}

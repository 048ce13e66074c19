using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Tests.Resources;

public class WatchEventTypeTests
{
    [Theory]
    [InlineData(WatchEventType.Added, "ADDED")]
    [InlineData(WatchEventType.Modified, "MODIFIED")]
    [InlineData(WatchEventType.Deleted, "DELETED")]
    [InlineData(WatchEventType.Bookmark, "BOOKMARK")]
    [InlineData(WatchEventType.Error, "ERROR")]
    public void Every_type_goes_on_the_wire_as_Kubernetes_spells_it(WatchEventType type, string wire)
    {
        Assert.Equal(wire, type.WireName());
        Assert.Equal(type, WatchEventTypes.FromWireName(wire));
    }

    [Fact]
    public void Every_type_has_a_wire_name_that_reads_back()
    {
        foreach (var type in Enum.GetValues<WatchEventType>()) Assert.Equal(type, WatchEventTypes.FromWireName(type.WireName()));
    }

    [Theory]
    [InlineData("added")]
    [InlineData("Added")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("UPDATED")]
    public void Other_text_is_no_type(string? text) => Assert.Null(WatchEventTypes.FromWireName(text));

    [Fact]
    public void A_value_outside_the_enum_has_no_wire_name() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ((WatchEventType)42).WireName());
}

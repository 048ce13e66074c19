extern alias PbmClient;
using PbmClient::Orchestrator.Pbm.Grammar;

namespace Orchestrator.Pbm.Tests.Grammar;

public sealed class HostEndpointTests
{
    [Fact]
    public void No_address_means_the_default_and_keeps_every_word()
    {
        var target = InvocationTarget.Split(["cluster", "show"], out var error);

        Assert.Null(error);
        Assert.Equal(new HostEndpoint("127.0.0.1", 9110), target!.Endpoint);
        Assert.Equal(["cluster", "show"], target.Words);
    }

    [Theory]
    [InlineData("10.0.0.5:9111", "10.0.0.5", 9111)]
    [InlineData("node-1.example:9110", "node-1.example", 9110)]
    [InlineData("localhost:1", "localhost", 1)]
    [InlineData("[::1]:9110", "::1", 9110)]
    public void A_first_word_with_a_colon_is_the_address(string word, string host, int port)
    {
        var target = InvocationTarget.Split([word, "cluster", "show"], out var error);

        Assert.Null(error);
        Assert.Equal(new HostEndpoint(host, port), target!.Endpoint);
        Assert.Equal(["cluster", "show"], target.Words);
    }

    [Fact]
    public void An_address_alone_opens_the_prompt()
    {
        var target = InvocationTarget.Split(["127.0.0.1:9200"], out _);

        Assert.Empty(target!.Words);
        Assert.Equal("127.0.0.1:9200", target.Endpoint.ToString());
    }

    [Theory]
    [InlineData("host:", "port '' is not a number")]
    [InlineData("host:abc", "port 'abc' is not a number")]
    [InlineData("host:70000", "port '70000' is not a number between 1 and 65535")]
    [InlineData("host:0", "port '0'")]
    [InlineData(":9110", "the host is missing")]
    [InlineData("::1:9110", "IPv6 address in brackets")]
    [InlineData("[::1]9110", "write an IPv6 address as [::1]")]
    public void A_malformed_address_says_what_is_wrong(string word, string expected)
    {
        var target = InvocationTarget.Split([word, "cluster", "show"], out var error);

        Assert.Null(target);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Switches_are_never_taken_for_an_address()
    {
        Assert.False(HostEndpoint.LooksLikeEndpoint("--address=akka.tcp://sys@host:1"));
        Assert.False(HostEndpoint.LooksLikeEndpoint("cluster"));
    }

    [Fact]
    public void IPv6_hosts_print_in_brackets() =>
        Assert.Equal("[::1]:9110", new HostEndpoint("::1", 9110).ToString());
}

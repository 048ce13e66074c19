using System.Net;
using Microsoft.AspNetCore.Http;
using Orchestrator.Host.Api;
using Orchestrator.Host.Configuration;

namespace Orchestrator.Host.Tests;

/// <summary>
/// Who a request is to authentication and fairness: the loopback token the node makes at each
/// start (exempt), an accepted token (its own client), else the source address.
/// </summary>
public sealed class ApiClientsTests
{
    private static readonly ApiSettings Settings = ApiSettings.From(NodeConfiguration.Load([], _ => null)) with
    {
        Tokens = new HashSet<string>(StringComparer.Ordinal) { "token-b", "token-a" },
    };

    private static ClientIdentity Identify(string? authorization, string address = "127.0.0.1")
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse(address);
        if (authorization is not null) http.Request.Headers.Authorization = authorization;
        return new ApiClients(Settings).Identify(http);
    }

    [Fact]
    public void Each_start_makes_a_new_loopback_token_that_the_settings_carry()
    {
        var other = ApiSettings.From(NodeConfiguration.Load([], _ => null));
        Assert.Equal(64, Settings.LoopbackToken!.Length);
        Assert.NotEqual(Settings.LoopbackToken, other.LoopbackToken);
        Assert.NotNull(Settings.Fairness);
    }

    [Fact]
    public void The_loopback_token_is_authenticated_and_exempt()
    {
        Assert.Equal(new ClientIdentity("loopback", Authenticated: true, Exempt: true), Identify("Bearer " + Settings.LoopbackToken));
    }

    [Fact]
    public void An_accepted_token_is_a_client_of_its_own_named_without_the_token()
    {
        Assert.Equal(new ClientIdentity("token:0", Authenticated: true, Exempt: false), Identify("Bearer token-a", "127.0.0.2"));
        Assert.Equal(new ClientIdentity("token:1", Authenticated: true, Exempt: false), Identify("bearer token-b "));
    }

    [Fact]
    public void Without_an_accepted_token_the_source_address_is_the_client()
    {
        Assert.Equal(new ClientIdentity("ip:127.0.0.2", Authenticated: false, Exempt: false), Identify("Bearer wrong", "127.0.0.2"));
        Assert.Equal(new ClientIdentity("ip:127.0.0.3", Authenticated: false, Exempt: false), Identify(null, "::ffff:127.0.0.3"));
        Assert.Equal(new ClientIdentity("ip:::1", Authenticated: false, Exempt: false), Identify("Basic abc", "::1"));
    }
}

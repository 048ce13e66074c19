using Microsoft.Extensions.Time.Testing;
using Orchestrator.Host.Dashboard;
using Orchestrator.Host.Metrics;

namespace Orchestrator.Host.Tests.Dashboard;

public sealed class DashboardSessionsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_used_session_slides_and_an_idle_one_ends()
    {
        var sessions = new DashboardSessions(_time, TimeSpan.FromMinutes(30));
        var id = sessions.Start("token:0");
        _time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal("token:0", sessions.Touch(id));
        _time.Advance(TimeSpan.FromMinutes(20)); // 40 minutes after login, 20 after the last use
        Assert.Equal("token:0", sessions.Touch(id));
        _time.Advance(TimeSpan.FromMinutes(31));
        Assert.Null(sessions.Touch(id));
        Assert.Null(sessions.Touch(id)); // gone for good
    }

    [Fact]
    public void A_session_with_an_open_page_does_not_expire_however_long_it_stays_open()
    {
        var sessions = new DashboardSessions(_time, TimeSpan.FromMinutes(30));
        var id = sessions.Start("token:1");
        sessions.Circuit(id, open: true);
        _time.Advance(TimeSpan.FromHours(5));
        Assert.Equal("token:1", sessions.Touch(id));
        sessions.Circuit(id, open: false);
        _time.Advance(TimeSpan.FromMinutes(31));
        Assert.Null(sessions.Touch(id));
    }

    [Fact]
    public void Unknown_and_ended_sessions_are_refused()
    {
        var sessions = new DashboardSessions(_time, TimeSpan.FromMinutes(30));
        Assert.Null(sessions.Touch(null));
        Assert.Null(sessions.Touch("no-such-session"));
        var id = sessions.Start("token:0");
        sessions.End(id);
        Assert.Null(sessions.Touch(id));
        Assert.NotEqual(sessions.Start("token:0"), sessions.Start("token:0"));
    }

    [Theory]
    [InlineData("/dashboard/pods", "/dashboard/pods")]
    [InlineData("https://evil.example/", "/dashboard")]
    [InlineData("//evil.example/dashboard", "/dashboard")]
    [InlineData("/dashboard\\..\\x", "/dashboard")]
    [InlineData(null, "/dashboard")]
    public void Login_returns_only_to_a_dashboard_path(string? target, string expected) =>
        Assert.Equal(expected, DashboardLogin.SafeReturn(target));

    [Theory]
    [InlineData("GET", "/api/v1/pods", false, "list", "pods")]
    [InlineData("GET", "/api/v1/namespaces/default/pods", true, "watch", "pods")]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web", false, "get", "pods")]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web/log", false, "get", "pods/log")]
    [InlineData("GET", "/api/v1/namespaces/default", false, "get", "namespaces")]
    [InlineData("GET", "/api/v1/namespaces", false, "list", "namespaces")]
    [InlineData("POST", "/apis/apps/v1/namespaces/default/deployments", false, "create", "deployments")]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", false, "patch", "deployments/scale")]
    [InlineData("PUT", "/api/v1/nodes/n1/status", false, "update", "nodes/status")]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods", false, "deletecollection", "pods")]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods/web", false, "delete", "pods")]
    public void Api_requests_are_labelled_as_Kubernetes_labels_them(string method, string path, bool watch, string verb, string resource) =>
        Assert.Equal(new ApiRequest(verb, resource), ApiRequest.Of(method, path, watch));

    [Theory]
    [InlineData("/api")]
    [InlineData("/api/v1")]
    [InlineData("/apis/apps/v1")]
    [InlineData("/dashboard/pods")]
    [InlineData("/metrics")]
    public void Discovery_and_other_paths_are_not_api_requests(string path) => Assert.Null(ApiRequest.Of("GET", path, watch: false));
}

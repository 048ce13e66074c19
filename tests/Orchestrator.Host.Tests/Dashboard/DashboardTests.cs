using System.Net;
using Microsoft.Playwright;
using Orchestrator.TestSupport;
using static Microsoft.Playwright.Assertions;
using static Orchestrator.Host.Tests.HttpJson;

namespace Orchestrator.Host.Tests.Dashboard;

/// <summary>
/// The dashboard in a real headless Chromium against a real node: login and refusal, live updates
/// pushed from the store's watch (no reload), YAML edits validated by the server, the history from
/// the journal, logs and actions. Each test uses objects of its own.
/// </summary>
[Collection(nameof(DashboardBrowser))]
public sealed class DashboardTests(DashboardFixture fixture)
{
    private static string Deployment(string name, int replicas) => """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"NAME","namespace":"default","labels":{"app":"NAME"}},
         "spec":{"replicas":REPLICAS,"selector":{"matchLabels":{"app":"NAME"}},
                 "template":{"metadata":{"labels":{"app":"NAME"}},"spec":{"terminationGracePeriodSeconds":1,"containers":[{"name":"main","image":"orchestrator/busybox:v2",
                   "command":["sh","-c","i=0; while true; do echo line $i of NAME; i=$((i+1)); sleep 1; done"]}]}}}}
        """.Replace("NAME", name, StringComparison.Ordinal).Replace("REPLICAS", replicas.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    [BrowserFact]
    public async Task A_wrong_token_is_refused_and_the_right_one_opens_the_overview()
    {
        var page = await fixture.NewPage();
        await page.GotoAsync("/dashboard/pods");
        Assert.EndsWith("/dashboard/login?return=%2Fdashboard%2Fpods", page.Url, StringComparison.Ordinal);

        await DashboardFixture.LogIn(page, "not-the-token", "/dashboard/pods");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("does not accept this token");
        Assert.Empty(await page.Context.CookiesAsync());

        await page.GetByLabel("Bearer token").FillAsync(DashboardFixture.Token);
        await page.Keyboard.PressAsync("Enter"); // the form works from the keyboard
        await DashboardFixture.Live(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pods", Level = 1 })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Overview" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("#nodes-ready")).ToContainTextAsync("1 / 1");
        await DashboardFixture.Screenshot(page, "overview");

        // The API itself still wants the bearer token: the session cookie is the dashboard's only.
        using var anonymous = new HttpClient { BaseAddress = fixture.Node.BaseUrl };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/pods")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
    }

    [BrowserFact]
    public async Task A_deployment_going_from_one_to_three_ready_replicas_shows_without_a_reload()
    {
        const string name = "live-web";
        Assert.Equal(HttpStatusCode.Created, (await fixture.Http.PostAsync("/apis/apps/v1/namespaces/default/deployments", Json(Deployment(name, 1)))).StatusCode);
        var page = await fixture.NewPage();
        await DashboardFixture.LogIn(page, path: "/dashboard/deployments");
        await page.GetByLabel("Label selector").FillAsync($"app={name}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        var row = page.Locator($"tr[data-name='{name}']");
        await Expect(row).ToContainTextAsync("1/1");

        var loads = 0;
        page.Load += (_, _) => loads++;
        var scale = await fixture.Http.PatchAsync($"/apis/apps/v1/namespaces/default/deployments/{name}/scale",
            Json("""{"spec":{"replicas":3}}""", "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, scale.StatusCode);
        await Expect(row).ToContainTextAsync("3/3");
        await Expect(row).ToContainTextAsync("successfully rolled out");
        Assert.Equal(0, loads);
        await DashboardFixture.Screenshot(page, "deployments");
    }
}

[CollectionDefinition(nameof(DashboardBrowser))]
public sealed class DashboardBrowser : ICollectionFixture<DashboardFixture>;

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
        await DashboardFixture.Screenshot(page, "deployments");

        // Scale from the page: the object's page, its Actions, 2 replicas; its live YAML follows.
        await page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Actions" }).ClickAsync();
        await page.GetByLabel("Replicas").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Scale", Exact = true }).ClickAsync();
        await Expect(page.Locator("#action-message")).ToContainTextAsync("Scaled to 2.");
        await page.GetByRole(AriaRole.Tab, new() { Name = "YAML" }).ClickAsync();
        await Expect(page.Locator("#object-yaml")).ToContainTextAsync("readyReplicas: 2");
        var deployment = await Body(await fixture.Http.GetAsync($"/apis/apps/v1/namespaces/default/deployments/{name}"));
        Assert.Equal(2, deployment["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(0, loads);
    }

    [BrowserFact]
    public async Task A_configmap_edit_is_checked_by_the_server_and_both_versions_show_in_its_history()
    {
        const string path = "/api/v1/namespaces/default/configmaps/edited";
        Assert.Equal(HttpStatusCode.Created, (await fixture.Http.PostAsync("/api/v1/namespaces/default/configmaps",
            Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"edited"},"data":{"greeting":"one"}}"""))).StatusCode);
        var before = (await Body(await fixture.Http.GetAsync(path)))["metadata"]!["resourceVersion"]!.GetValue<string>();
        var page = await fixture.NewPage();
        await DashboardFixture.LogIn(page, path: "/dashboard/objects/configmaps/default/edited");
        await Expect(page.Locator("#object-yaml")).ToContainTextAsync("greeting: one");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Edit" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit the current version" }).ClickAsync();
        var editor = page.GetByLabel("YAML to store");
        var yaml = await editor.InputValueAsync();

        // A key a ConfigMap cannot have: the server's own message, and nothing written.
        await editor.FillAsync(yaml.Replace("greeting: one", "greeting: one\n  bad key!: x", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Check with the server (dry run)" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("bad key!");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Apply" })).ToBeDisabledAsync();
        Assert.Equal(before, (await Body(await fixture.Http.GetAsync(path)))["metadata"]!["resourceVersion"]!.GetValue<string>());

        // A valid one: the diff first, then applied.
        await editor.FillAsync(yaml.Replace("greeting: one", "greeting: two", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Check with the server (dry run)" }).ClickAsync();
        await Expect(page.Locator("#edit-diff .add")).ToContainTextAsync(["greeting: two"]);
        Assert.Equal("one", (await Body(await fixture.Http.GetAsync(path)))["data"]!["greeting"]!.GetValue<string>());
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(page.Locator("#edit-message")).ToHaveTextAsync("Applied.");
        Assert.Equal("two", (await Body(await fixture.Http.GetAsync(path)))["data"]!["greeting"]!.GetValue<string>());

        // Its history from the journal: both versions, and the diff between them.
        await page.GetByRole(AriaRole.Tab, new() { Name = "History" }).ClickAsync();
        await Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#history-diff .del")).ToContainTextAsync(["greeting: one"]);
        await Expect(page.Locator("#history-diff .add")).ToContainTextAsync(["greeting: two"]);
        await DashboardFixture.Screenshot(page, "history");
    }
}

[CollectionDefinition(nameof(DashboardBrowser))]
public sealed class DashboardBrowser : ICollectionFixture<DashboardFixture>;

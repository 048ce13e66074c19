using Microsoft.Playwright;
using Orchestrator.TestSupport;

namespace Orchestrator.Host.Tests.Dashboard;

/// <summary>
/// One node (its agent running pods on the real Docker engine, bearer tokens required) and one
/// headless Debian chromium driven by Playwright, shared by the dashboard tests. Each test opens
/// a browser context of its own (its own cookies), so logging in is part of every test.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string Token = "dashboard-test-token";

    public NodeProcess Node { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    private IPlaywright? _playwright;

    public async Task InitializeAsync()
    {
        if (RealParts.SkipReason(RealParts.ChromiumUnavailable ?? RealParts.DockerUnavailable) is not null) return;
        Node = await NodeProcess.StartAsync(environment: new Dictionary<string, string> { ["ORCHESTRATOR_TOKEN"] = Token }, token: Token);
        Http = Node.CreateHttpClient(Token);
        Assertions.SetDefaultExpectTimeout(60_000); // a pod start on a busy 2-core machine, not a fixed wait
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = RealParts.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A fresh browser context (no cookies) with a page on the node.</summary>
    public async Task<IPage> NewPage()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Node.Server, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        context.SetDefaultTimeout(60_000);
        return await context.NewPageAsync();
    }

    /// <summary>Logs in through the login page with <paramref name="token"/>, the way a person does.</summary>
    public static async Task LogIn(IPage page, string token = Token, string path = "/dashboard")
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync(path);
        await page.GetByLabel("Bearer token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        if (token == Token) await Live(page);
    }

    /// <summary>Waits until the page's live connection runs: before it, the prerendered page does not answer clicks.</summary>
    public static Task Live(IPage page) => Assertions.Expect(page.Locator("main[data-live='on']")).ToBeVisibleAsync();

    /// <summary>Saves a screenshot of the page into docs/screenshots when ORCHESTRATOR_SCREENSHOTS names the repository.</summary>
    public static async Task Screenshot(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (Environment.GetEnvironmentVariable("ORCHESTRATOR_SCREENSHOTS") is not { Length: > 0 } repository) return;
        var folder = Path.Combine(repository, "docs", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = false });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Node is null) return;
        Http.Dispose();
        await Node.Kill();
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), $"orchestrator-node-{Node.ApiPort}.log"), Node.Output);
        await Node.DisposeAsync();
    }
}

using Akka.Hosting;
using Microsoft.Data.Sqlite;
using Orchestrator.Cluster.Hosting;
using Orchestrator.CommandHost;
using Orchestrator.CommandHost.Palettes.Resources;
using Orchestrator.Domain.Resources;
using Orchestrator.Host;
using Orchestrator.Host.Api;
using Orchestrator.Host.Configuration;
using Orchestrator.Host.Dashboard;
using Prometheus;
using Orchestrator.NodeAgent.Hosting;

// The Orchestrator node process: one member of the Akka.NET cluster running the control plane
// (sharded entities, index, scheduler and controller singletons), the Kubernetes-compatible API
// server, the pbm command host and (on workers) the node agent.
var config = NodeConfiguration.Load(args);
var settings = NodeSettings.From(config);
var apiSettings = settings.Api;
PrepareLocalStorage(config);
// The Secret encryption keys: configured, read from the key file or made on first start; a key the
// journal's Secrets need and this node lacks stops it here (SecretKeyException names the key ids).
Orchestrator.Cluster.Secrets.SecretKeyring secretKeys;
try
{
    secretKeys = Orchestrator.Cluster.Secrets.SecretEncryption.Prepare(config, settings.Secrets, warning => Console.Error.WriteLine("warning: " + warning));
}
catch (Orchestrator.Cluster.Secrets.SecretKeyException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}

var builder = WebApplication.CreateBuilder(args);
var certificate = apiSettings.Tls
    ? ServerCertificate.LoadOrCreate(apiSettings.TlsCertFile, apiSettings.TlsKeyFile, config.GetString("orchestrator.data-dir"), apiSettings.BindAddress)
    : null;
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Listen(apiSettings.BindAddress, apiSettings.Port, listen =>
    {
        if (certificate is not null) listen.UseHttps(certificate);
    });
    kestrel.Limits.MaxRequestBodySize = apiSettings.MaxBodyBytes;
});
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
// The dashboard's framework script (blazor.web.js) from the build's static web assets manifest, in
// every environment (a published node has it under wwwroot instead, and no manifest).
if (File.Exists(Path.Combine(AppContext.BaseDirectory, "orchestrator.staticwebassets.runtime.json"))) builder.WebHost.UseStaticWebAssets();
var time = TimeProvider.System;
builder.Services.AddSingleton(time);
builder.Services.AddSingleton(apiSettings);
builder.Services.AddSingleton<ApiClients>(); // who sent a request: token identity or source address

// Services over the actors below (ResourceStore, ...): building them starts nothing; they find the
// actors when first used, which is after the chain has run.
builder.Services.AddControlPlaneServices(settings.ControlPlane, settings.Services);
builder.Services.AddLocalNode(settings.NodeAgent, settings.Docker);

// The actor system and everything that runs in it, started in this order when the host starts.
builder.Services.AddAkka("orchestrator", (akka, _) => akka
    .AddHocon(config, HoconAddMode.Prepend)
    .WithSecretEncryption(secretKeys)                 // the journal serializer encrypts Secret values with these keys
    .WithJournalMigration(settings.ControlPlane)      // journals of earlier versions: tags into the tag column, before any write
    .WithJournalHealth(settings.ControlPlane)         // probes the journal: a blip is not taken for dead nodes
    .WithResourceRegions(settings.ControlPlane, time) // a shard region per kind: one persistent entity per object
    .WithResourceIndex(settings.ControlPlane)         // this member's journal-fed index: lists and watches
    .WithMemberLiveness(time)                         // which members were downed, for the node lifecycle controller
    .WithScheduler(settings.Scheduler, settings.Controllers.Role, time)
    .WithControllerManager(settings.Controllers, time)
    .WithNodeAgent(settings.NodeAgent, time)          // this member's kubelet, when orchestrator.node-agent.enabled
    .WithServiceProxy(settings.ServiceProxy, settings.NodeAgent, settings.Services, time)); // ClusterIPs and NodePorts, with the node agent

// Hosted services start after the actor system, in this order.
builder.Services.AddSingleton<ControlPlaneBootstrap>(); // built-in namespaces once the member is Up, then /readyz
builder.Services.AddHostedService(sp => sp.GetRequiredService<ControlPlaneBootstrap>());
builder.Services.AddCommandHost().AddOrchestratorPalettes(); // pbm: cluster, cluster-sharding and the resource palettes

// The API server's parts, built on the first request.
builder.Services.AddSingleton(RequestBodies.From(config)); // orchestrator.api.decoding
builder.Services.AddSingleton<ResourceApi>();
builder.Services.AddSingleton<PodLogsApi>();
builder.Services.AddSingleton<NodeMembers>();
builder.Services.AddSingleton<Orchestrator.Host.Api.Streaming.PodStreamingApi>(); // exec, attach, port-forward

// The dashboard (docs/dashboard.md): Blazor components rendered on the server, updates pushed over the page's circuit.
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddHttpContextAccessor();
builder.Services.AddSingleton(sp => new Orchestrator.Host.Dashboard.DashboardSessions(time, apiSettings.DashboardIdleTimeout));
builder.Services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, Orchestrator.Host.Dashboard.DashboardCircuits>();

var app = builder.Build();
app.UseMiddleware<Orchestrator.Host.Metrics.ApiMetrics>(); // requests by verb, resource and code, refusals included
app.UseMiddleware<FairnessMiddleware>();        // per-client slots and refusal budgets, before anything reads a body
app.UseMiddleware<BearerTokenAuthentication>();
app.UseMiddleware<Orchestrator.Host.Dashboard.DashboardAuthentication>(); // the dashboard's session cookie on its own paths
app.UseWebSockets(); // exec, attach and port-forward upgrade to WebSocket (after authentication)
app.UseAntiforgery();

app.MapGet("/healthz", () => "ok");
app.MapGet("/livez", () => "ok");
app.MapGet("/readyz", (ControlPlaneBootstrap bootstrap) => bootstrap.IsReady ? Results.Text("ok") : Results.Text("control plane starting", statusCode: 503));
app.MapGet("/version", (HttpContext http) => ResourceApi.WriteJson(http, Discovery.Version()));
app.MapGet("/api", (HttpContext http) => ResourceApi.WriteJson(http, Discovery.CoreVersions($"{apiSettings.BindAddress}:{apiSettings.Port}")));
app.MapGet("/api/v1", (HttpContext http) => ResourceApi.WriteJson(http, Discovery.ResourceList("")));
app.MapGet("/apis", (HttpContext http) => ResourceApi.WriteJson(http, Discovery.GroupList()));
app.MapGet("/apis/{group}", (HttpContext http, string group) => Discovery.Groups.Contains(group)
    ? ResourceApi.WriteJson(http, Discovery.Group(group))
    : ResourceApi.WriteError(http, ApiError.NoSuchPath()));
app.MapGet("/apis/{group}/v1", (HttpContext http, string group) => Discovery.Groups.Contains(group)
    ? ResourceApi.WriteJson(http, Discovery.ResourceList(group))
    : ResourceApi.WriteError(http, ApiError.NoSuchPath()));
app.MapGet("/openapi/v3", (HttpContext http) => ResourceApi.WriteJson(http, OpenApi.Index()));
app.MapGet("/openapi/v3/{**path}", (HttpContext http, string path) => OpenApi.Document(path) is { } doc
    ? ResourceApi.WriteJson(http, doc)
    : ResourceApi.WriteError(http, ApiError.NoSuchPath()));
app.MapGet("/api/v1/namespaces/{ns}/pods/{name}/log", (HttpContext http, PodLogsApi logs, string ns, string name) => logs.Handle(http, ns, name));
app.MapMethods("/api/v1/namespaces/{ns}/pods/{name}/exec", ["GET", "POST"], (HttpContext http, Orchestrator.Host.Api.Streaming.PodStreamingApi api, string ns, string name) => api.Exec(http, ns, name));
app.MapMethods("/api/v1/namespaces/{ns}/pods/{name}/attach", ["GET", "POST"], (HttpContext http, Orchestrator.Host.Api.Streaming.PodStreamingApi api, string ns, string name) => api.Attach(http, ns, name));
app.MapMethods("/api/v1/namespaces/{ns}/pods/{name}/portforward", ["GET", "POST"], (HttpContext http, Orchestrator.Host.Api.Streaming.PodStreamingApi api, string ns, string name) => api.PortForward(http, ns, name));
app.Map("/api/v1/{**path}", (HttpContext http, ResourceApi api, string? path) => api.Handle(http, "", path ?? ""));
app.Map("/apis/{group}/v1/{**path}", (HttpContext http, ResourceApi api, string group, string? path) => api.Handle(http, group, path ?? ""));
app.MapMetrics("/metrics"); // Prometheus text format (docs/metrics.md), behind the API's tokens
app.MapDashboardLogin();
app.MapStaticAssets();
app.MapRazorComponents<Orchestrator.Host.Dashboard.Components.App>().AddInteractiveServerRenderMode();
app.MapFallback((HttpContext http) => ResourceApi.WriteError(http, ApiError.NoSuchPath()));

await app.RunAsync();
return 0;

// The SQLite journal lives in the data folder; WAL mode (set once, kept by the file) makes writes
// several times faster and lets the index read while entities write.
static void PrepareLocalStorage(Akka.Configuration.Config config)
{
    var journal = config.GetConfig("akka.persistence.journal.sql");
    if (journal is null || !(journal.GetString("provider-name") ?? "").StartsWith("SQLite", StringComparison.OrdinalIgnoreCase)) return;
    var builder = new SqliteConnectionStringBuilder(journal.GetString("connection-string"));
    var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
    if (folder is not null) Directory.CreateDirectory(folder);
    using var connection = new SqliteConnection(builder.ConnectionString);
    connection.Open();
    using var command = connection.CreateCommand();
    command.CommandText = "PRAGMA journal_mode=WAL;";
    command.ExecuteNonQuery();
}

/// <summary>Entry point type, for tests that host the node in-process.</summary>
public partial class Program;

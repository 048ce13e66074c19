using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.TestSupport;

using static Orchestrator.Host.Tests.HttpJson;

namespace Orchestrator.Host.Tests;

/// <summary>Whole-process behaviour: restarts (kill -9) keep every object and version; the token baseline.</summary>
public sealed class NodeLifecycleTests
{

    [Fact]
    public async Task Objects_and_resourceVersions_survive_kill_minus_9()
    {
        var dataDir = Directory.CreateTempSubdirectory("orchestrator-restart-").FullName;
        try
        {
            string before;
            await using (var node = await NodeProcess.StartAsync(dataDir, NodeFixture.ApiOnly))
            {
                using var http = new HttpClient { BaseAddress = node.BaseUrl };
                for (var i = 0; i < 5; i++)
                {
                    var response = await http.PostAsync("/api/v1/namespaces/default/configmaps",
                        Json($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"durable-{{{i}}}","labels":{"set":"durable"}},"data":{"i":"{{{i}}}"}}"""));
                    Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                }
                var patched = await http.PatchAsync("/api/v1/namespaces/default/configmaps/durable-0",
                    new StringContent("""{"data":{"i":"changed"}}""", Encoding.UTF8, "application/merge-patch+json"));
                Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync("/api/v1/namespaces/default/configmaps/durable-4")).StatusCode);
                before = await Items(http);
                await node.Kill();
            }

            await using (var restarted = await NodeProcess.StartAsync(dataDir, NodeFixture.ApiOnly))
            {
                using var http = new HttpClient { BaseAddress = restarted.BaseUrl };
                var after = await Items(http);
                Assert.Equal(before, after);
                var single = JsonNode.Parse(await http.GetStringAsync("/api/v1/namespaces/default/configmaps/durable-0"))!;
                Assert.Equal("changed", single["data"]!["i"]!.GetValue<string>());
                Assert.Contains("durable-0", after);
                Assert.DoesNotContain("durable-4", after);
                // Writes go on with higher versions after the restart.
                var created = JsonNode.Parse(await (await http.PostAsync("/api/v1/namespaces/default/configmaps",
                    Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"after-restart"}}"""))).Content.ReadAsStringAsync())!;
                var maxBefore = JsonNode.Parse(before)!.AsArray().Max(i => long.Parse(i!["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
                Assert.True(long.Parse(created["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > maxBefore);
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>The items of the durable set, in name order, as JSON text (objects with uid and resourceVersion).</summary>
    private static async Task<string> Items(HttpClient http)
    {
        var list = JsonNode.Parse(await http.GetStringAsync("/api/v1/namespaces/default/configmaps?labelSelector=set%3Ddurable"))!;
        return list["items"]!.ToJsonString();
    }

    [Fact]
    public async Task Listening_beyond_loopback_without_a_token_refuses_to_start()
    {
        await using var node = NodeProcess.Launch(environment: new Dictionary<string, string> { ["ORCHESTRATOR_API_ADDRESS"] = "0.0.0.0", ["ORCHESTRATOR_NODE_AGENT"] = "off" });
        var exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("no bearer token is configured", node.Output);
    }

    [KubectlFact]
    public async Task With_a_token_every_request_needs_it_and_kubectl_token_works()
    {
        const string token = "test-token-4f1d9c2e";
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, "# tokens\n" + token + "\n");
        try
        {
            await using var node = await NodeProcess.StartAsync(
                environment: new Dictionary<string, string> { ["ORCHESTRATOR_API_ADDRESS"] = "0.0.0.0", ["ORCHESTRATOR_TOKEN_FILE"] = tokenFile, ["ORCHESTRATOR_NODE_AGENT"] = "off" },
                token: token);
            Assert.StartsWith("https://", node.Server, StringComparison.Ordinal);
            using var http = node.CreateHttpClient();
            var anonymous = await http.GetAsync("/api/v1/namespaces");
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Unauthorized", JsonNode.Parse(await anonymous.Content.ReadAsStringAsync())!["reason"]!.GetValue<string>());
            // The health endpoints are open (a container healthcheck carries no token), and say nothing more.
            foreach (var health in new[] { "/healthz", "/livez", "/readyz" })
                Assert.Equal("ok", await http.GetStringAsync(health));

            using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces");
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);

            var kubectl = new Kubectl(node.Server, token, node.CertificateFile);
            Assert.Contains("kube-system", (await kubectl.RunAsync("get namespaces")).EnsureSuccess().Stdout);
            Assert.NotEqual(0, (await new Kubectl(node.Server, null, node.CertificateFile).RunAsync("get namespaces")).ExitCode);
            Assert.NotEqual(0, (await new Kubectl(node.Server, "wrong-token", node.CertificateFile).RunAsync("get namespaces")).ExitCode);
            Assert.DoesNotContain(token, node.Output);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }
}

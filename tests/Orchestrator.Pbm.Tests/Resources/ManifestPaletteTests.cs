using System.Text.Json;
using Xunit.Abstractions;

namespace Orchestrator.Pbm.Tests.Resources;

/// <summary><c>resource apply|delete -f</c> and <c>resource history</c> through the real pbm and a real node.</summary>
[Collection(OrchestratorNodeGroup.Name)]
public sealed class ManifestPaletteTests(OrchestratorNode fixture, ITestOutputHelper output) : PbmAgainstNode(fixture, output)
{
    private static string App(string ns, string image = "nginx:1.25", int replicas = 2) => $"""
        {Namespace(ns)}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-config
          namespace: {ns}
        data:
          greeting: hello
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: {ns}
          labels:
            app: web
        spec:
          replicas: {replicas}
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - name: web
                image: {image}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: {ns}
        spec:
          selector:
            app: web
          ports:
          - port: 80
        """;

    [Fact]
    public async Task Apply_creates_every_document_then_reports_unchanged_and_configured()
    {
        var ns = UniqueNamespace("apply");

        var created = await ApplyAsync(App(ns));
        Assert.Equal(
            [$"namespace/{ns} created", "configmap/web-config created", "deployment.apps/web created", "service/web created"],
            Lines(created.StandardOutput));

        var again = await ApplyAsync(App(ns));
        Assert.Contains("deployment.apps/web unchanged", again.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("configmap/web-config unchanged", again.StandardOutput, StringComparison.Ordinal);

        var changed = await ApplyAsync(App(ns, image: "nginx:1.26"));
        Assert.Contains("deployment.apps/web configured", changed.StandardOutput, StringComparison.Ordinal);
        var deployment = await PbmOk("deploy", "describe", "web", "-n", ns, "-o", "json");
        using var document = JsonDocument.Parse(deployment.StandardOutput);
        Assert.Equal("nginx:1.26", document.RootElement.GetProperty("spec").GetProperty("template").GetProperty("spec")
            .GetProperty("containers")[0].GetProperty("image").GetString());
    }

    [Fact]
    public async Task Apply_reads_the_manifest_from_standard_input_with_a_dash()
    {
        var ns = UniqueNamespace("stdin");
        var result = await Integration.PbmProcess.RunAsync([Fixture.Node.PbmEndpoint, "resource", "apply", "-f", "-"], input: Namespace(ns));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"namespace/{ns} created", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Delete_removes_every_document_and_reports_what_is_already_gone()
    {
        var ns = UniqueNamespace("delete");
        await ApplyAsync(Namespace(ns));
        var objects = $$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: one, namespace: {{ns}}}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: two, namespace: {{ns}}}
            """;
        var file = Fixture.WriteManifest(objects);
        await PbmOk("resource", "apply", "-f", file);

        var deleted = await PbmOk("resource", "delete", "-f", file);
        Assert.Equal(["configmap/one deleted", "configmap/two deleted"], Lines(deleted.StandardOutput));
        var list = await PbmOk("config", "list", "-n", ns);
        Assert.DoesNotContain("one", list.StandardOutput, StringComparison.Ordinal);

        var again = await Pbm("resource", "delete", "-f", file);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("configmap/one (document 1): Error from server (NotFound): configmaps \"one\" not found", again.StandardError, StringComparison.Ordinal);
        Assert.Contains("2 of 2 objects could not be deleted", again.StandardError, StringComparison.Ordinal);

        var ignored = await Pbm("resource", "delete", "-f", file, "--ignore-not-found");
        Assert.True(ignored.ExitCode == 0, ignored.ToString());
    }

    [Fact]
    public async Task History_shows_every_change_from_the_journal_with_what_changed()
    {
        var ns = UniqueNamespace("history");
        await ApplyAsync(App(ns));
        await ApplyAsync(App(ns, image: "nginx:1.26"));
        await PbmOk("deploy", "scale", "web", "-n", ns, "-r", "5");
        await ApplyAsync(App(ns, image: "nginx:1.26", replicas: 5).Replace("app: web\nspec:", "app: web\n    tier: front\nspec:", StringComparison.Ordinal));

        var history = await PbmOk("resource", "history", "web", "-k", "deploy", "-n", ns);

        var lines = Lines(history.StandardOutput);
        Assert.Equal($"Deployment {ns}/web", lines[0]);
        Assert.Matches(@"^TIME\s+RESOURCE-VERSION\s+CHANGE\s+SUMMARY$", lines[1]);
        var changes = lines.Skip(2).ToArray();
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+\d+\s+created\s+image web=nginx:1\.25; replicas 2; labels app=web$", changes[0]);
        Assert.Contains(changes, line => line.Contains("patched", StringComparison.Ordinal) && line.Contains("image web: nginx:1.25→nginx:1.26", StringComparison.Ordinal));
        Assert.Contains(changes, line => line.Contains("scaled", StringComparison.Ordinal) && line.Contains("spec.replicas: 2→5", StringComparison.Ordinal));
        Assert.Contains(changes, line => line.Contains("labels +tier=front", StringComparison.Ordinal));
        var versions = changes.Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(versions.Order(), versions);

        var json = await PbmOk("resource", "history", "web", "-k", "Deployment", "-n", ns, "-o", "json");
        using var document = JsonDocument.Parse(json.StandardOutput);
        Assert.Equal("created", document.RootElement[0].GetProperty("change").GetString());
        Assert.True(document.RootElement.GetArrayLength() >= 4);
    }

    [Fact]
    public async Task History_of_a_deleted_object_ends_with_its_deletion()
    {
        var ns = UniqueNamespace("gone");
        await ApplyAsync(Namespace(ns));
        var file = Fixture.WriteManifest($$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: brief, namespace: {{ns}}}
            data: {a: "1"}
            """);
        await PbmOk("resource", "apply", "-f", file);
        await PbmOk("resource", "delete", "-f", file);

        var history = await PbmOk("resource", "history", "brief", "-k", "cm", "-n", ns);

        var changes = Lines(history.StandardOutput).Skip(2).ToArray();
        Assert.Matches(@"\screated\s+data keys a$", changes[0]);
        Assert.Matches(@"\sdeleted$", changes[^1]);
    }

    [Fact]
    public async Task Bad_yaml_is_refused_before_anything_is_applied()
    {
        var ns = UniqueNamespace("bad");
        var result = await Pbm("resource", "apply", "-f", Fixture.WriteManifest(Namespace(ns) + "\n---\nkind: ConfigMap\nmetadata: [unclosed\n"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("the manifest is not valid YAML", result.StandardError, StringComparison.Ordinal);
        var namespaces = await Pbm("resource", "history", ns, "-k", "namespace");
        Assert.Equal(1, namespaces.ExitCode);
        Assert.Contains("no such object was ever created", namespaces.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_kind_in_a_manifest_names_the_document()
    {
        var result = await Pbm("resource", "apply", "-f", Fixture.WriteManifest("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: fine}
            ---
            apiVersion: example.com/v1
            kind: Frobnicator
            metadata: {name: odd}
            """));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("document 2 of the manifest has kind 'Frobnicator', which this cluster does not serve", result.StandardError, StringComparison.Ordinal);
    }

    /// <summary>
    /// pbm apply writes through the node's API, so a manifest the API refuses is refused with the
    /// API's own words: the test sends the same object to the API as kubectl would
    /// (<c>fieldValidation=Strict</c>) and expects exactly that Status in pbm's error.
    /// </summary>
    [Theory]
    [InlineData("an unknown field")]
    [InlineData("a repeated field")]
    [InlineData("an invalid name")]
    [InlineData("a namespace that does not exist")]
    [InlineData("a namespace other than -n")]
    public async Task Apply_is_admitted_by_the_API_and_refused_in_its_words(string problem)
    {
        var ns = UniqueNamespace("admit");
        await ApplyAsync(Namespace(ns));
        var other = UniqueNamespace("absent");
        var (name, objectNs, requestNs, extra, args, query) = problem switch
        {
            "an unknown field" => ("odd", ns, ns, "\nextra: field", Array.Empty<string>(), ""),
            "a repeated field" => ("twice", ns, ns, "\ndata: {b: c}", [], ""),
            "an invalid name" => ("Not_A_Name", ns, ns, "", [], ""),
            "a namespace that does not exist" => ("lost", other, other, "", [], ""),
            "a namespace other than -n" => ("elsewhere", ns, other, "", ["-n", other], ""),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };
        var manifest = $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {objectNs}\ndata: {{a: b}}{extra}\n";

        var viaApi = await ApiRefusalAsync($"/api/v1/namespaces/{requestNs}/configmaps?fieldValidation=Strict{query}", manifest);
        var viaPbm = await Pbm(["resource", "apply", "-f", Fixture.WriteManifest(manifest), .. args]);

        if (problem == "a repeated field")
        {
            // A repeated key is refused as YAML before anything is sent, as kubectl refuses it reading the file.
            Assert.Equal(2, viaPbm.ExitCode);
            Assert.Contains("key \"data\" already set in map", viaPbm.StandardError, StringComparison.Ordinal);
            Assert.Contains("strict decoding error: duplicate field \"data\"", viaApi, StringComparison.Ordinal);
            return;
        }
        Assert.Equal(1, viaPbm.ExitCode);
        Assert.Contains($"configmap/{name} (document 1): {viaApi}", viaPbm.StandardError, StringComparison.Ordinal);
        var stored = await Pbm("config", "describe", name, "-n", requestNs);
        Assert.Equal(1, stored.ExitCode);
    }

    [Fact]
    public async Task A_dry_run_is_admitted_and_answered_by_the_API_but_stores_nothing()
    {
        var ns = UniqueNamespace("rehearse");
        await ApplyAsync(Namespace(ns));
        var manifest = $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rehearsed\n  namespace: {ns}\ndata: {{a: b}}\n";

        var created = await PbmOk("resource", "apply", "-f", Fixture.WriteManifest(manifest), "--dry-run");
        Assert.Contains("(server dry run)", created.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(1, (await Pbm("config", "describe", "rehearsed", "-n", ns)).ExitCode);

        var invalid = await Pbm("resource", "apply", "-f", Fixture.WriteManifest(manifest.Replace("rehearsed", "Not_A_Name", StringComparison.Ordinal)), "--dry-run");
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("Invalid", invalid.StandardError, StringComparison.Ordinal);

        await ApplyAsync(manifest);
        var changed = await PbmOk("resource", "apply", "-f", Fixture.WriteManifest(manifest.Replace("{a: b}", "{a: changed}", StringComparison.Ordinal)), "--dry-run");
        Assert.Contains("(server dry run)", changed.StandardOutput, StringComparison.Ordinal);
        var stored = await PbmOk("config", "describe", "rehearsed", "-n", ns);
        Assert.DoesNotContain("changed", stored.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>POSTs the manifest (YAML, as kubectl may) to the node's API and returns its refusal as kubectl prints it.</summary>
    private async Task<string> ApiRefusalAsync(string path, string yaml)
    {
        using var http = Fixture.Node.CreateHttpClient();
        using var content = new StringContent(yaml, System.Text.Encoding.UTF8, "application/yaml");
        using var response = await http.PostAsync(path, content);
        Assert.False(response.IsSuccessStatusCode, $"the API accepted {path}");
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return $"Error from server ({status.RootElement.GetProperty("reason").GetString()}): {status.RootElement.GetProperty("message").GetString()}";
    }

    [Fact]
    public async Task A_missing_file_is_reported_by_the_client()
    {
        var result = await Pbm("resource", "apply", "-f", "/nonexistent/app.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--filename '/nonexistent/app.yaml' does not exist.", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_of_an_unknown_kind_lists_the_known_ones()
    {
        var result = await Pbm("resource", "history", "x", "-k", "frobnicator");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown kind 'frobnicator'; known kinds: Namespace (namespaces, ns)", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_shows_positional_names_and_file_switches()
    {
        var apply = await PbmOk("resource", "apply", "--help");
        Assert.Contains("Usage: pbm [host:port] resource apply -f|--filename <file>", apply.StandardOutput, StringComparison.Ordinal);

        var describe = await PbmOk("pod", "describe", "--help");
        Assert.Contains("Usage: pbm [host:port] pod describe <name>", describe.StandardOutput, StringComparison.Ordinal);
    }
}

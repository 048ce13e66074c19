using System.Text.Json.Nodes;
using Orchestrator.TestSupport;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>A node whose Jobs back off 1 s after a failure (10 s by default), so a failing Job reaches its limit quickly.</summary>
public sealed class JobNodeFixture : IAsyncLifetime
{
    public AgentNode Agent { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (RealParts.SkipReason(RealParts.DockerUnavailable) is not null) return;
        Agent = await AgentNode.StartAsync(extraConfig: "orchestrator.controllers { job-backoff-base = 1s, job-backoff-max = 4s }");
    }

    public async Task DisposeAsync()
    {
        if (Agent is null) return;
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), $"orchestrator-{Agent.NodeName}.log"), Agent.Node.Output);
        await Agent.DisposeAsync();
    }
}

/// <summary>Jobs and CronJobs on a real node process and the real Docker engine, driven by the real kubectl.</summary>
public sealed class JobTests(JobNodeFixture fixture) : IClassFixture<JobNodeFixture>
{
    private AgentNode Agent => fixture.Agent;

    private Kubectl Kubectl => Agent.Kubectl;

    private async Task<string> NewNamespaceAsync(string prefix)
    {
        var ns = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        (await Kubectl.RunAsync($"create namespace {ns}")).EnsureSuccess();
        return ns;
    }

    private async Task<JsonObject> GetJsonAsync(string what) =>
        JsonNode.Parse((await Kubectl.RunAsync($"get {what} -o json")).EnsureSuccess().Stdout)!.AsObject();

    private static string JobYaml(string name, int completions, int parallelism, int backoffLimit, string command) => $$"""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: {{name}}
        spec:
          completions: {{completions}}
          parallelism: {{parallelism}}
          backoffLimit: {{backoffLimit}}
          template:
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: orchestrator/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "{{command}}"]
        """;

    [DockerFact]
    public async Task A_job_of_three_completions_two_at_a_time_completes_and_its_pods_logs_are_readable()
    {
        var ns = await NewNamespaceAsync("job");
        (await Kubectl.RunAsync($"apply -n {ns} -f -", JobYaml("count", 3, 2, 2, "echo done by $(hostname)"))).EnsureSuccess();

        (await Kubectl.RunAsync($"wait -n {ns} --for=condition=complete job/count --timeout=120s", timeout: TimeSpan.FromSeconds(130))).EnsureSuccess();

        var job = await GetJsonAsync($"job count -n {ns}");
        Assert.Equal(3, job["status"]!["succeeded"]!.GetValue<int>());
        Assert.NotNull(job["status"]!["completionTime"]);
        var pods = (await GetJsonAsync($"pods -n {ns} -l batch.kubernetes.io/job-name=count"))["items"]!.AsArray().OfType<JsonObject>().ToList();
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal("Succeeded", AgentNode.Phase(p)));
        Assert.Matches(@"count\s+Complete\s+3/3", (await Kubectl.RunAsync($"get jobs -n {ns}")).EnsureSuccess().Stdout);
        Assert.Contains("done by count-", (await Kubectl.RunAsync($"logs -n {ns} job/count")).EnsureSuccess().Stdout);
        foreach (var pod in pods)
            Assert.Contains("done by " + pod["metadata"]!["name"]!.GetValue<string>(), (await Kubectl.RunAsync($"logs -n {ns} {pod["metadata"]!["name"]!.GetValue<string>()}")).EnsureSuccess().Stdout);

        // Deleting the Job takes its pods with it (the garbage collector follows their owner references).
        (await Kubectl.RunAsync($"delete job count -n {ns}")).EnsureSuccess();
        await Poll.Until(async () => (await GetJsonAsync($"pods -n {ns}"))["items"]!.AsArray().Count == 0, TimeSpan.FromSeconds(60), "the Job's pods gone");
    }

    [DockerFact]
    public async Task A_failing_job_stops_at_its_backoff_limit()
    {
        var ns = await NewNamespaceAsync("jobfail");
        // kubectl create job's own shape, with backoffLimit 2 set before it is created.
        var manifest = JsonNode.Parse((await Kubectl.RunAsync($"create job fails -n {ns} --image=orchestrator/busybox:latest --dry-run=client -o json -- sh -c 'exit 3'")).EnsureSuccess().Stdout)!;
        manifest["spec"]!["backoffLimit"] = 2;
        manifest["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"] = "IfNotPresent"; // :latest would pull, and no registry is reachable
        (await Kubectl.RunAsync($"create -n {ns} -f -", manifest.ToJsonString())).EnsureSuccess();

        (await Kubectl.RunAsync($"wait -n {ns} --for=condition=failed job/fails --timeout=120s", timeout: TimeSpan.FromSeconds(130))).EnsureSuccess();

        var job = await GetJsonAsync($"job fails -n {ns}");
        var failed = job["status"]!["conditions"]!.AsArray().OfType<JsonObject>().Single(c => c["type"]!.GetValue<string>() == "Failed");
        Assert.Equal("BackoffLimitExceeded", failed["reason"]!.GetValue<string>());
        var pods = (await GetJsonAsync($"pods -n {ns} -l job-name=fails"))["items"]!.AsArray().OfType<JsonObject>().ToList();
        // backoffLimit 2: the third failure fails the Job, and no fourth pod is made.
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal("Failed", AgentNode.Phase(p)));
        Assert.Equal(3, job["status"]!["failed"]!.GetValue<int>());
        Assert.Matches(@"fails\s+Failed\s+0/1", (await Kubectl.RunAsync($"get jobs -n {ns}")).EnsureSuccess().Stdout);
    }

    [DockerFact]
    public async Task A_cron_job_every_minute_runs_on_schedule_and_keeps_its_history_limit()
    {
        var ns = await NewNamespaceAsync("cron");
        (await Kubectl.RunAsync($"apply -n {ns} -f -", """
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: tick
            spec:
              schedule: "* * * * *"
              successfulJobsHistoryLimit: 1
              jobTemplate:
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: main
                        image: orchestrator/busybox:latest
                        imagePullPolicy: IfNotPresent
                        command: ["sh", "-c", "echo tick"]
            """)).EnsureSuccess();
        Assert.Contains("cronjobs", (await Kubectl.RunAsync("api-resources --api-group=batch")).EnsureSuccess().Stdout);

        // A manual run first: owned by the CronJob, so it counts toward its history.
        (await Kubectl.RunAsync($"create job manual -n {ns} --from=cronjob/tick")).EnsureSuccess();
        (await Kubectl.RunAsync($"wait -n {ns} --for=condition=complete job/manual --timeout=60s", timeout: TimeSpan.FromSeconds(70))).EnsureSuccess();

        // The next minute's run (at most 60 s away), named by its minute.
        var scheduled = await Poll.For(async () =>
            (await GetJsonAsync($"cronjob tick -n {ns}"))["status"]?["lastScheduleTime"]?.GetValue<string>(), TimeSpan.FromSeconds(75), "the CronJob's first scheduled run");
        var minute = DateTimeOffset.Parse(scheduled, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds() / 60;
        (await Kubectl.RunAsync($"wait -n {ns} --for=condition=complete job/tick-{minute} --timeout=60s", timeout: TimeSpan.FromSeconds(70))).EnsureSuccess();
        Assert.Contains("tick", (await Kubectl.RunAsync($"logs -n {ns} job/tick-{minute}")).EnsureSuccess().Stdout);

        // History limit 1: the older, manual run goes once the scheduled one succeeded.
        await Poll.Until(async () => (await Kubectl.RunAsync($"get job manual -n {ns}")).ExitCode != 0, TimeSpan.FromSeconds(30), "the manual run deleted by the history limit");
        var cronJob = await GetJsonAsync($"cronjob tick -n {ns}");
        Assert.NotNull(cronJob["status"]!["lastSuccessfulTime"]);
        Assert.Matches(@"tick\s+\* \* \* \* \*\s+<none>\s+False\s+\d+\s+\d+s", (await Kubectl.RunAsync($"get cronjobs -n {ns}")).EnsureSuccess().Stdout);

        // Deleting the CronJob takes its Jobs and their pods with it.
        (await Kubectl.RunAsync($"delete cronjob tick -n {ns}")).EnsureSuccess();
        await Poll.Until(async () => (await GetJsonAsync($"jobs -n {ns}"))["items"]!.AsArray().Count == 0
            && (await GetJsonAsync($"pods -n {ns}"))["items"]!.AsArray().Count == 0, TimeSpan.FromSeconds(60), "the CronJob's Jobs and pods gone");
    }
}

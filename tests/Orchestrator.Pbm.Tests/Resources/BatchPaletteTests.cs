using Xunit.Abstractions;

namespace Orchestrator.Pbm.Tests.Resources;

/// <summary>The <c>job</c> and <c>cronjob</c> palettes through the real pbm and a real node.</summary>
[Collection(OrchestratorNodeGroup.Name)]
public sealed class BatchPaletteTests(OrchestratorNode fixture, ITestOutputHelper output) : PbmAgainstNode(fixture, output)
{
    [Fact]
    public async Task Job_and_cron_job_list_and_describe()
    {
        var ns = UniqueNamespace("batch");
        await ApplyAsync(Namespace(ns) + $$"""

            ---
            apiVersion: batch/v1
            kind: Job
            metadata: {name: crunch, namespace: {{ns}}}
            spec:
              completions: 3
              parallelism: 2
              backoffLimit: 4
              template:
                spec:
                  restartPolicy: Never
                  containers:
                  - {name: main, image: busybox:1}
            ---
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly, namespace: {{ns}}}
            spec:
              schedule: "0 3 * * *"
              timeZone: Europe/Berlin
              concurrencyPolicy: Forbid
              jobTemplate:
                spec:
                  template:
                    spec:
                      restartPolicy: OnFailure
                      containers:
                      - {name: backup, image: busybox:1}
            """);

        var jobs = Lines((await PbmOk("job", "list", "-n", ns)).StandardOutput);
        Assert.Matches(@"^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$", jobs[0]);
        Assert.Matches(@"^crunch\s+Running\s+0/3\s", jobs[1]);
        var job = (await PbmOk("job", "describe", "crunch", "-n", ns)).StandardOutput;
        Assert.Matches(@"(?m)^Selector:\s+batch\.kubernetes\.io/controller-uid=\S+$", job);
        Assert.Matches(@"(?m)^Parallelism:\s+2$", job);
        Assert.Matches(@"(?m)^Completions:\s+3$", job);
        Assert.Matches(@"(?m)^Backoff Limit:\s+4$", job);
        Assert.Matches(@"(?m)^\s+main:\s+busybox:1$", job);

        var cronJobs = Lines((await PbmOk("cronjob", "list", "-n", ns)).StandardOutput);
        Assert.Matches(@"^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$", cronJobs[0]);
        Assert.Matches(@"^nightly\s+0 3 \* \* \*\s+Europe/Berlin\s+False\s+0\s+<none>\s", cronJobs[1]);
        var cronJob = (await PbmOk("cronjob", "describe", "nightly", "-n", ns)).StandardOutput;
        Assert.Matches(@"(?m)^Concurrency Policy:\s+Forbid$", cronJob);
        Assert.Matches(@"(?m)^Next Schedule Time:\s+\d{4}-\d\d-\d\dT0[12]:00:00Z$", cronJob);
        Assert.Matches(@"(?m)^Last Schedule Time:\s+<none>$", cronJob);
    }
}

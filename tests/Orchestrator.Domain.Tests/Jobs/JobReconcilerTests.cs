using System.Text.Json.Nodes;
using Orchestrator.Domain.Jobs;
using Orchestrator.Domain.Resources;
using Orchestrator.TestSupport.Builders;
using static Orchestrator.Domain.Tests.Jobs.JobObjects;

namespace Orchestrator.Domain.Tests.Jobs;

public sealed class JobReconcilerTests
{
    private static readonly DateTimeOffset Now = TestObjects.Now;
    private static readonly JobBackoff Backoff = new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(6));

    private static JobPlan Sync(JsonObject job, params JsonObject[] pods) => JobReconciler.Reconcile(job, pods, Now, Backoff, expectationsSatisfied: true);

    [Fact]
    public void Keeps_parallelism_pods_active_until_completions_succeeded()
    {
        var job = Job(completions: 3, parallelism: 2);
        var first = Sync(job);
        Assert.Equal(2, first.Create.Count);
        Assert.All(first.Create, p => Assert.True(IsControlledBy(p, job)));
        Assert.Equal("work-", first.Create[0].Metadata().GetString("generateName"));
        Assert.Equal(2, first.Status!["active"].GetLong());
        Assert.NotNull(first.Status["startTime"]);

        // Two succeeded: only one more is needed.
        var second = Sync(job, Pod(job, "a", "Succeeded"), Pod(job, "b", "Succeeded"));
        Assert.Single(second.Create);
        Assert.Equal(2, second.Status!["succeeded"].GetLong());

        var done = Sync(job, Pod(job, "a", "Succeeded"), Pod(job, "b", "Succeeded"), Pod(job, "c", "Succeeded"));
        Assert.Empty(done.Create);
        Assert.Equal("True", Condition(done.Status!, JobConditions.Complete));
        Assert.Equal(ObjectMeta.FormatTime(Now), done.Status!.GetString("completionTime"));
        Assert.Contains(done.Events, e => e.Reason == "Completed");
    }

    [Fact]
    public void Waits_the_exponential_backoff_after_failures_before_a_new_pod()
    {
        var job = Job(backoffLimit: 6);
        // Two failures, the last 15 s ago: the next pod waits 20 s after it, 5 s more.
        var plan = Sync(job, Pod(job, "a", "Failed", finishedAt: Now.AddMinutes(-1)), Pod(job, "b", "Failed", finishedAt: Now.AddSeconds(-15)));
        Assert.Empty(plan.Create);
        Assert.Equal(TimeSpan.FromSeconds(5), plan.RecheckAfter);
        Assert.Equal(2, plan.Status!["failed"].GetLong());

        var later = JobReconciler.Reconcile(job, [Pod(job, "a", "Failed", finishedAt: Now.AddMinutes(-1)), Pod(job, "b", "Failed", finishedAt: Now.AddSeconds(-15))], Now.AddSeconds(6), Backoff, true);
        Assert.Single(later.Create);
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(4, 80)]
    [InlineData(6, 320)]
    [InlineData(7, 360)]
    [InlineData(40, 360)]
    public void Backoff_doubles_from_the_base_up_to_the_cap(long failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Backoff.Delay(failures));

    [Fact]
    public void Fails_once_failures_exceed_the_backoff_limit_and_stops_its_pods()
    {
        var job = Job(completions: 2, parallelism: 2, backoffLimit: 1);
        var plan = Sync(job, Pod(job, "a", "Failed"), Pod(job, "b", "Failed"), Pod(job, "c"));
        Assert.Equal("True", Condition(plan.Status!, JobConditions.Failed));
        Assert.Contains(plan.Events, e => e is { Type: "Warning", Reason: "BackoffLimitExceeded" });
        Assert.Equal(["c"], plan.Delete);
        Assert.Empty(plan.Create);
        Assert.Equal(0, plan.Status!["active"].GetLong());
    }

    [Fact]
    public void Container_restarts_count_toward_the_limit_when_the_template_restarts_on_failure()
    {
        var job = Job(backoffLimit: 2, restartPolicy: "OnFailure");
        var pod = Pod(job, "a");
        pod["status"]!["containerStatuses"] = new JsonArray(new JsonObject { ["name"] = "main", ["restartCount"] = 3 });
        Assert.Equal("True", Condition(Sync(job, pod).Status!, JobConditions.Failed));
    }

    [Fact]
    public void Fails_past_the_active_deadline_and_asks_to_look_again_when_it_runs_out()
    {
        var job = Job(deadline: 60);
        job["status"] = new JsonObject { ["startTime"] = ObjectMeta.FormatTime(Now.AddSeconds(-30)) };
        var running = Sync(job, Pod(job, "a"));
        Assert.Null(Condition(running.Status!, JobConditions.Failed));
        Assert.Equal(TimeSpan.FromSeconds(30), running.RecheckAfter);

        job["status"] = new JsonObject { ["startTime"] = ObjectMeta.FormatTime(Now.AddSeconds(-61)) };
        var late = Sync(job, Pod(job, "a"));
        Assert.Equal("True", Condition(late.Status!, JobConditions.Failed));
        Assert.Contains(late.Events, e => e.Reason == "DeadlineExceeded");
        Assert.Equal(["a"], late.Delete);
    }

    [Fact]
    public void An_indexed_job_runs_each_missing_index_once_with_its_index_in_annotation_label_env_and_hostname()
    {
        var job = Job(completions: 4, parallelism: 2, mode: "Indexed");
        var plan = Sync(job, Pod(job, "w0", "Succeeded", index: 0), Pod(job, "w1", index: 1));
        var pod = Assert.Single(plan.Create);
        Assert.Equal("2", pod.Annotations()[JobLabels.CompletionIndex]);
        Assert.Equal("2", pod.Labels()[JobLabels.CompletionIndex]);
        Assert.Equal("work-2-", pod.Metadata().GetString("generateName"));
        Assert.Equal("work-2", pod["spec"]!.AsObject().GetString("hostname"));
        var env = pod["spec"]!["containers"]![0]!["env"]![0]!;
        Assert.Equal(JobLabels.CompletionIndexEnv, env["name"]!.GetValue<string>());
        Assert.Equal("metadata.annotations['batch.kubernetes.io/job-completion-index']", env["valueFrom"]!["fieldRef"]!["fieldPath"]!.GetValue<string>());
        Assert.Equal("0", plan.Status!.GetString("completedIndexes"));

        var all = Sync(job, Pod(job, "w0", "Succeeded", index: 0), Pod(job, "w1", "Succeeded", index: 1), Pod(job, "w2", "Succeeded", index: 2), Pod(job, "w3", "Succeeded", index: 3));
        Assert.Equal("True", Condition(all.Status!, JobConditions.Complete));
        Assert.Equal("0-3", all.Status!.GetString("completedIndexes"));
    }

    [Fact]
    public void A_work_queue_job_completes_when_one_pod_succeeded_and_the_rest_finished()
    {
        var job = Job(completions: null, parallelism: 3);
        Assert.Equal(3, Sync(job).Create.Count);
        var oneDone = Sync(job, Pod(job, "a", "Succeeded"), Pod(job, "b"));
        Assert.Empty(oneDone.Create);
        Assert.Null(Condition(oneDone.Status!, JobConditions.Complete));
        Assert.Equal("True", Condition(Sync(job, Pod(job, "a", "Succeeded"), Pod(job, "b", "Succeeded")).Status!, JobConditions.Complete));
    }

    [Fact]
    public void Pod_failure_policy_fails_the_job_ignores_or_counts_by_exit_code()
    {
        var policy = JsonNode.Parse("""
            {"rules":[
              {"action":"FailJob","onExitCodes":{"containerName":"main","operator":"In","values":[42]}},
              {"action":"Ignore","onExitCodes":{"operator":"In","values":[3]}},
              {"action":"Count","onExitCodes":{"operator":"NotIn","values":[3,42]}}]}
            """);
        var job = Job(backoffLimit: 0, podFailurePolicy: policy);
        var fatal = Sync(job, Pod(job, "a", "Failed", exitCode: 42));
        Assert.Equal("True", Condition(fatal.Status!, JobConditions.Failed));
        Assert.Equal("PodFailurePolicy", Assert.Single(fatal.Events).Reason);
        Assert.Contains("failed with exit code 42 matching FailJob rule at index 0", fatal.Events[0].Message);

        var ignored = Sync(job, Pod(job, "a", "Failed", exitCode: 3));
        Assert.Null(Condition(ignored.Status!, JobConditions.Failed));
        Assert.Equal(0, ignored.Status!["failed"].GetLong());
        Assert.Single(ignored.Create);

        Assert.Equal("True", Condition(Sync(job, Pod(job, "a", "Failed", exitCode: 1)).Status!, JobConditions.Failed));
    }

    [Fact]
    public void Suspending_stops_the_pods_and_resuming_restarts_the_deadline()
    {
        var job = Job(suspend: true, deadline: 100);
        var suspended = Sync(job, Pod(job, "a"));
        Assert.Equal(["a"], suspended.Delete);
        Assert.Equal("True", Condition(suspended.Status!, JobConditions.Suspended));
        Assert.Contains(suspended.Events, e => e.Reason == "Suspended");

        job["status"] = suspended.Status;
        job["status"]!["startTime"] = ObjectMeta.FormatTime(Now.AddHours(-1));
        job["spec"]!["suspend"] = false;
        var resumed = Sync(job);
        Assert.Equal("False", Condition(resumed.Status!, JobConditions.Suspended));
        Assert.Equal(ObjectMeta.FormatTime(Now), resumed.Status!.GetString("startTime"));
        Assert.Single(resumed.Create);
        Assert.Null(Condition(resumed.Status!, JobConditions.Failed));
    }

    [Fact]
    public void A_finished_job_is_deleted_once_its_ttl_passed()
    {
        var job = WithCondition(Job(ttl: 30), JobConditions.Complete, Now.AddSeconds(-10));
        var waiting = Sync(job);
        Assert.False(waiting.DeleteJob);
        Assert.Equal(TimeSpan.FromSeconds(20), waiting.RecheckAfter);
        Assert.True(JobReconciler.Reconcile(job, [], Now.AddSeconds(21), Backoff, true).DeleteJob);
    }

    [Fact]
    public void Creates_and_deletes_nothing_while_its_own_writes_are_unobserved()
    {
        var job = Job(completions: 3, parallelism: 3);
        var plan = JobReconciler.Reconcile(job, [Pod(job, "a")], Now, Backoff, expectationsSatisfied: false);
        Assert.False(plan.ChangesPods);
        Assert.Equal(1, plan.Status!["active"].GetLong());
    }

    [Fact]
    public void Counts_never_go_down_when_finished_pods_are_deleted()
    {
        var job = Job(completions: 5, parallelism: 1);
        job["status"] = new JsonObject { ["succeeded"] = 3, ["failed"] = 1, ["startTime"] = ObjectMeta.FormatTime(Now) };
        var plan = Sync(job);
        Assert.Equal(3, plan.Status!["succeeded"].GetLong());
        Assert.Equal(1, plan.Status!["failed"].GetLong());
    }

    [Fact]
    public void Completed_indexes_are_written_as_ranges_and_read_back()
    {
        Assert.Equal("0-2,4,7-8", JobIndexes.Format([8, 0, 1, 2, 4, 7]));
        Assert.Equal([0, 1, 2, 4], JobIndexes.Parse("0-2,4,x,9", 5));
        Assert.Equal("", JobIndexes.Format([]));
    }
}

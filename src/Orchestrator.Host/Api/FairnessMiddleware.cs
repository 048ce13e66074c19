using System.Globalization;
using Orchestrator.Domain.RateLimiting;
using Orchestrator.Domain.Resources;
using Orchestrator.Host.Configuration;

namespace Orchestrator.Host.Api;

/// <summary>
/// Per-client fairness of the API (<c>orchestrator.api.fairness</c>): admits, queues or refuses each
/// request by its client's slots and refusal budget (<see cref="ClientFairness{TWaiter}"/>) before
/// anything reads its body. A queued request waits without a thread until a slot or its client's
/// budget frees up; one that waits longer than <c>max-wait</c>, or finds its client's queue full, is
/// answered 429 TooManyRequests with <c>Retry-After</c>. Long-running requests (watches, logs, exec,
/// attach, port-forward) free their slot as soon as they are admitted, as APF counts them only while
/// they start. Probes and the node's own components (<see cref="ClientIdentity.Exempt"/>) pass.
/// </summary>
internal sealed class FairnessMiddleware(RequestDelegate next, ApiSettings settings, ApiClients clients, TimeProvider time)
{
    private sealed class Waiter
    {
        public readonly TaskCompletionSource Admitted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Lock _gate = new();
    private readonly ClientFairness<Waiter>? _fairness = settings.Fairness is { } limits ? new ClientFairness<Waiter>(limits) : null;

    public async Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path;
        if (_fairness is null || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/livez") || path.StartsWithSegments("/readyz"))
        {
            await next(http);
            return;
        }
        var identity = clients.Identify(http);
        if (identity.Exempt)
        {
            await next(http);
            return;
        }
        var flow = identity.Flow;
        if (!await Admit(http, _fairness, flow)) return;
        var longRunning = IsLongRunning(http);
        if (longRunning) Finish(_fairness, flow, refused: false);
        try
        {
            await next(http);
        }
        finally
        {
            var refused = FairnessLimits.IsRefusal(http.Response.StatusCode);
            if (!longRunning) Finish(_fairness, flow, refused);
            else if (refused)
            {
                lock (_gate) _fairness.ChargeRefusal(flow, time.GetUtcNow());
            }
        }
    }

    /// <summary>True once the request holds a slot; false when it was answered 429 (or its client left while it waited).</summary>
    private async Task<bool> Admit(HttpContext http, ClientFairness<Waiter> fairness, string flow)
    {
        var waiter = new Waiter();
        Admission admission;
        var now = time.GetUtcNow();
        lock (_gate) admission = fairness.Arrive(flow, waiter, now);
        if (admission == Admission.Admitted) return true;
        if (admission == Admission.Refused)
        {
            await TooManyRequests(http, fairness, flow, "its queue is full");
            return false;
        }
        var deadline = now + settings.Fairness!.MaxWait;
        while (true)
        {
            now = time.GetUtcNow();
            IReadOnlyList<Waiter> admitted;
            DateTimeOffset? budgetAt;
            lock (_gate)
            {
                admitted = fairness.Dispatch(flow, now);
                budgetAt = fairness.BudgetAllowsAt(flow, now);
            }
            foreach (var w in admitted) w.Admitted.TrySetResult();
            if (waiter.Admitted.Task.IsCompleted) return true;
            if (now >= deadline || http.RequestAborted.IsCancellationRequested)
            {
                bool withdrawn;
                lock (_gate) withdrawn = fairness.Withdraw(flow, waiter, now);
                if (!withdrawn) return true; // admitted meanwhile: it holds a slot now
                if (!http.RequestAborted.IsCancellationRequested)
                    await TooManyRequests(http, fairness, flow, string.Create(CultureInfo.InvariantCulture, $"it waited {settings.Fairness.MaxWait.TotalSeconds:0.###} s (orchestrator.api.fairness.max-wait)"));
                return false;
            }
            // Wake when the budget allows one more, else when a finished request hands over its slot, at the latest at the deadline.
            var wakeAt = budgetAt is { } at && at > now && at < deadline ? at : deadline;
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            await Task.WhenAny(waiter.Admitted.Task, Task.Delay(wakeAt - now, time, wake.Token));
            await wake.CancelAsync();
            if (waiter.Admitted.Task.IsCompleted) return true;
        }
    }

    private void Finish(ClientFairness<Waiter> fairness, string flow, bool refused)
    {
        IReadOnlyList<Waiter> admitted;
        lock (_gate) admitted = fairness.Finish(flow, refused, time.GetUtcNow());
        foreach (var waiter in admitted) waiter.Admitted.TrySetResult();
    }

    private Task TooManyRequests(HttpContext http, ClientFairness<Waiter> fairness, string flow, string why)
    {
        TimeSpan retry;
        lock (_gate) retry = fairness.RetryAfter(flow, time.GetUtcNow());
        var seconds = (int)Math.Ceiling(Math.Min(retry.TotalSeconds, 3600));
        // The body is not read: rather than drain it, the connection ends after the answer.
        if (http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0) http.Response.Headers.Connection = "close";
        return ResourceApi.WriteError(http, ApiError.TooManyRequests(
            string.Create(CultureInfo.InvariantCulture, $"Too many requests, please try again later: this client's requests are over their limits (orchestrator.api.fairness) and {why}"), seconds));
    }

    /// <summary>Watches, logs, exec, attach and port-forward: requests that stay open, as Kubernetes' long-running check sees them.</summary>
    private static bool IsLongRunning(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        if (path.EndsWith("/log", StringComparison.Ordinal) || path.EndsWith("/exec", StringComparison.Ordinal)
            || path.EndsWith("/attach", StringComparison.Ordinal) || path.EndsWith("/portforward", StringComparison.Ordinal))
            return true;
        return http.Request.Method == "GET" && QueryParameters.ParseGoBool(http.Request.Query["watch"].ToString()) == true;
    }
}

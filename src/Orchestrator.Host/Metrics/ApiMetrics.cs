using System.Diagnostics;
using System.Globalization;
using Prometheus;

namespace Orchestrator.Host.Metrics;

/// <summary>
/// Counts and times every API request by verb, resource and status code (docs/metrics.md):
/// <c>orchestrator_api_requests_total</c> and <c>orchestrator_api_request_duration_seconds</c>.
/// Watches and log follows are long by nature and are timed under their own verb.
/// </summary>
internal sealed class ApiMetrics(RequestDelegate next)
{
    private static readonly Counter Requests = Prometheus.Metrics.CreateCounter(
        "orchestrator_api_requests_total", "API requests answered, by verb, resource and HTTP status code.",
        new CounterConfiguration { LabelNames = ["verb", "resource", "code"] });

    private static readonly Histogram Duration = Prometheus.Metrics.CreateHistogram(
        "orchestrator_api_request_duration_seconds", "Time from a request's arrival to its answer's end, by verb and resource.",
        new HistogramConfiguration
        {
            LabelNames = ["verb", "resource"],
            Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        });

    public async Task InvokeAsync(HttpContext http)
    {
        var request = ApiRequest.Of(http.Request.Method, http.Request.Path.Value ?? "", http.Request.Query["watch"] is { Count: > 0 } w && w[0] is "true" or "1");
        if (request is null)
        {
            await next(http);
            return;
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(http);
        }
        finally
        {
            Duration.WithLabels(request.Verb, request.Resource).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            Requests.WithLabels(request.Verb, request.Resource, http.Response.StatusCode.ToString(CultureInfo.InvariantCulture)).Inc();
        }
    }
}

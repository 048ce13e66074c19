using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Serialization;

namespace Orchestrator.Host.Api;

/// <summary>
/// Kubernetes' <c>fieldValidation</c>: <c>Strict</c> (what kubectl sends) refuses unknown and
/// repeated fields with 400 <c>strict decoding error: unknown field "x", duplicate field "y"</c>;
/// <c>Warn</c> (the default) answers each in a <c>Warning</c> header and goes on (a repeated field
/// keeps its last value); <c>Ignore</c> says nothing.
/// </summary>
internal static class FieldValidation
{
    public enum Mode
    {
        Warn,
        Strict,
        Ignore,
    }

    private const int MaxWarnings = 50;

    public static Mode Of(HttpContext http) => http.Request.Query["fieldValidation"].ToString() switch
    {
        "" or "Warn" => Mode.Warn,
        "Strict" => Mode.Strict,
        "Ignore" => Mode.Ignore,
        var other => throw new ApiErrorException(ApiError.BadRequest($"fieldValidation \"{other}\" is invalid: supported values: \"Ignore\", \"Warn\", \"Strict\"")),
    };

    /// <summary>Refuses (Strict) or warns about (Warn) the unknown fields and repeated fields found.</summary>
    public static void Report(HttpContext http, Mode mode, IReadOnlyList<string> unknown, IReadOnlyList<DuplicateField> duplicates)
    {
        if (mode == Mode.Ignore || (unknown.Count == 0 && duplicates.Count == 0)) return;
        var problems = unknown.Select(f => $"unknown field \"{f}\"").Concat(duplicates.Select(d => d.ToString())).ToList();
        if (mode == Mode.Strict)
            throw new ApiErrorException(ApiError.BadRequest("strict decoding error: " + string.Join(", ", problems)));
        // As the API server, a bounded number of warnings: a body of thousands of unknown fields
        // must not make a response no client reads.
        foreach (var problem in problems.Take(MaxWarnings)) http.Response.Headers.Append("Warning", $"299 - \"{HeaderText(problem)}\"");
        if (problems.Count > MaxWarnings) http.Response.Headers.Append("Warning", $"299 - \"{problems.Count - MaxWarnings} more field problems not shown\"");
    }

    /// <summary>
    /// The text as a quoted-string of a header: quotes and backslashes escaped, anything outside
    /// printable ASCII (a field name may hold newlines, NULs or any letter) as <c>\uXXXX</c>, which
    /// Kestrel would otherwise refuse to send.
    /// </summary>
    private static string HeaderText(string text)
    {
        var escaped = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '"' or '\\') escaped.Append('\\').Append(c);
            else if (c is >= ' ' and <= '~') escaped.Append(c);
            else escaped.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        }
        return escaped.ToString();
    }
}

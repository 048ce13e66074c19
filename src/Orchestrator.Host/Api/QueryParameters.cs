using System.Globalization;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Host.Api;

/// <summary>
/// Query parameters read as the Kubernetes API server reads them: booleans as Go's
/// <c>strconv.ParseBool</c> spells them (1, t, T, TRUE, true, True and 0, f, F, FALSE, false, False),
/// integers as <c>strconv.ParseInt</c>; anything else is a 400 naming the parameter, never a 500 nor
/// silently the default.
/// </summary>
internal static class QueryParameters
{
    /// <summary>Go's <c>strconv.ParseBool</c>: the value, or null for any other text.</summary>
    public static bool? ParseGoBool(string text) => text switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => null,
    };

    /// <summary>
    /// <c>dryRun=All</c>, the one value Kubernetes accepts: the change is admitted and decided,
    /// answered as it would be stored, and not stored. Any other value is 400, as there.
    /// </summary>
    public static bool DryRun(HttpContext http)
    {
        if (!http.Request.Query.TryGetValue("dryRun", out var values)) return false;
        foreach (var value in values) IsDryRun(value);
        return true;
    }

    /// <summary>One dryRun value (a query parameter or an item of DeleteOptions.dryRun): All, or a 400.</summary>
    public static bool IsDryRun(string? value) => value == "All"
        ? true
        : throw new ApiErrorException(ApiError.BadRequest($"Invalid dryRun value \"{value}\": the only supported value is All"));

    /// <summary>The boolean parameter <paramref name="name"/>; false when absent or empty.</summary>
    public static bool Bool(HttpContext http, string name)
    {
        var text = http.Request.Query[name].ToString();
        if (text.Length == 0) return false;
        return ParseGoBool(text) ?? throw Invalid(name, text, $"strconv.ParseBool: parsing \"{text}\": invalid syntax");
    }

    /// <summary>The integer parameter <paramref name="name"/> (at least <paramref name="min"/>); null when absent or empty.</summary>
    public static long? Long(HttpContext http, string name, long min = long.MinValue)
    {
        var text = http.Request.Query[name].ToString();
        if (text.Length == 0) return null;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw Invalid(name, text, $"strconv.ParseInt: parsing \"{text}\": {(text.TrimStart('-', '+').All(char.IsAsciiDigit) && text.Length > 1 ? "value out of range" : "invalid syntax")}");
        if (value < min) throw Invalid(name, text, $"must be greater than or equal to {min}");
        return value;
    }

    /// <summary>A resourceVersion parameter: null when absent or empty, else a journal position.</summary>
    public static long? ResourceVersion(HttpContext http, string name = "resourceVersion")
    {
        var text = http.Request.Query[name].ToString();
        if (text.Length == 0) return null;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
            throw new ApiErrorException(ApiError.BadRequest($"invalid resource version \"{text}\": must be a non-negative number"));
        return rv;
    }

    private static ApiErrorException Invalid(string name, string text, string why) =>
        new(ApiError.BadRequest($"invalid value \"{text}\" for the query parameter {name}: {why}"));
}

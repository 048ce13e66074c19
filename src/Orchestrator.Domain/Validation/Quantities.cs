using System.Globalization;

namespace Orchestrator.Domain.Validation;

/// <summary>A string is not a Kubernetes resource quantity (or is out of the range we support).</summary>
public sealed class QuantityFormatException : FormatException
{
    public QuantityFormatException()
    {
    }

    public QuantityFormatException(string message)
        : base(message)
    {
    }

    public QuantityFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource):
/// <code>
/// quantity ::= [+|-] number suffix
/// number   ::= digits | digits.digits | digits. | .digits
/// suffix   ::= binarySI (Ki Mi Gi Ti Pi Ei) | decimalSI (n u m "" k M G T P E) | (e|E) signed integer
/// </code>
/// Values are exact decimals of the base unit (cores, bytes); values beyond what
/// <see cref="decimal"/> holds are rejected rather than rounded silently.
/// </summary>
public static class Quantities
{
    /// <summary>The pattern Kubernetes names in its error message.</summary>
    public const string Pattern = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

    /// <summary>Parses a quantity to base units, e.g. "100m" → 0.1, "128Mi" → 134217728.</summary>
    /// <exception cref="QuantityFormatException">The text is not a quantity or is out of range.</exception>
    public static decimal Parse(string text)
    {
        if (TryParse(text, out var value, out var error))
            return value;
        throw new QuantityFormatException(error);
    }

    public static bool TryParse(string? text, out decimal value) => TryParse(text, out value, out _);

    /// <summary>Parses a quantity; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? text, out decimal value, out string error)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
        {
            error = "quantities must not be empty";
            return false;
        }

        var pos = 0;
        var negative = false;
        if (text[0] is '+' or '-')
        {
            negative = text[0] == '-';
            pos++;
        }

        var numberStart = pos;
        var digits = 0;
        var dots = 0;
        while (pos < text.Length && (char.IsAsciiDigit(text[pos]) || text[pos] == '.'))
        {
            if (text[pos] == '.')
                dots++;
            else
                digits++;
            pos++;
        }
        if (digits == 0 || dots > 1)
            return Fail(text, out error);
        var number = text[numberStart..pos];
        var suffix = text[pos..];

        decimal multiplier;
        int exponent = 0;
        switch (suffix)
        {
            case "": multiplier = 1m; break;
            case "n": multiplier = 0.000000001m; break;
            case "u": multiplier = 0.000001m; break;
            case "m": multiplier = 0.001m; break;
            case "k": multiplier = 1_000m; break;
            case "M": multiplier = 1_000_000m; break;
            case "G": multiplier = 1_000_000_000m; break;
            case "T": multiplier = 1_000_000_000_000m; break;
            case "P": multiplier = 1_000_000_000_000_000m; break;
            case "E": multiplier = 1_000_000_000_000_000_000m; break;
            case "Ki": multiplier = 1L << 10; break;
            case "Mi": multiplier = 1L << 20; break;
            case "Gi": multiplier = 1L << 30; break;
            case "Ti": multiplier = 1L << 40; break;
            case "Pi": multiplier = 1L << 50; break;
            case "Ei": multiplier = 1L << 60; break;
            default:
                if (suffix.Length >= 2 && suffix[0] is 'e' or 'E'
                    && IsSignedInteger(suffix.AsSpan(1))
                    && int.TryParse(suffix.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
                {
                    multiplier = 1m;
                    break;
                }
                return Fail(text, out error);
        }

        try
        {
            var mantissa = decimal.Parse(number.EndsWith('.') ? number + "0" : number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            var result = mantissa * multiplier;
            if (exponent > 0)
            {
                for (var i = 0; i < exponent && result != 0; i++)
                    result *= 10m;
            }
            else if (exponent < 0)
            {
                if (exponent < -28 && result != 0)
                    throw new OverflowException();
                for (var i = 0; i < -exponent; i++)
                    result /= 10m;
            }
            value = negative ? -result : result;
            error = "";
            return true;
        }
        catch (OverflowException)
        {
            error = $"quantity \"{text}\" is out of the supported range";
            return false;
        }
    }

    /// <summary>CPU in millicores, rounded up as Kubernetes' MilliValue does: "100m" → 100, "0.5" → 500, "1" → 1000.</summary>
    public static long ToMilliCpu(string text) => CeilingToLong(Parse(text) * 1000m, text);

    /// <summary>Memory or storage in bytes, rounded up as Kubernetes' Value does: "128Mi" → 134217728, "1G" → 1000000000.</summary>
    public static long ToBytes(string text) => CeilingToLong(Parse(text), text);

    private static long CeilingToLong(decimal value, string text)
    {
        var ceiling = decimal.Ceiling(value);
        if (ceiling > long.MaxValue || ceiling < long.MinValue)
            throw new QuantityFormatException($"quantity \"{text}\" is out of the supported range");
        return (long)ceiling;
    }

    private static bool IsSignedInteger(ReadOnlySpan<char> s)
    {
        if (s.Length > 0 && s[0] is '+' or '-')
            s = s[1..];
        if (s.Length == 0)
            return false;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }
        return true;
    }

    private static bool Fail(string text, out string error)
    {
        error = $"quantity \"{text}\" is invalid: quantities must match the regular expression '{Pattern}'";
        return false;
    }
}

using System.Globalization;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Selectors;

/// <summary>
/// The operators of a label selector requirement. <c>==</c> parses as <see cref="Equals"/>;
/// <see cref="GreaterThan"/> and <see cref="LessThan"/> exist only in the string form.
/// </summary>
public enum SelectorOperator
{
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

/// <summary>
/// One requirement of a label selector. <see cref="Values"/> is sorted and free of duplicates when
/// the requirement comes from <see cref="LabelSelector"/>; use <see cref="Create"/> to build a
/// validated one by hand. Equality compares the values element by element.
/// </summary>
public sealed record Requirement(string Key, SelectorOperator Operator, IReadOnlyList<string> Values)
{
    /// <summary>Builds a validated requirement (values sorted and deduplicated), as Kubernetes' NewRequirement does.</summary>
    /// <exception cref="SelectorParseException">The key, the values or their number are invalid.</exception>
    public static Requirement Create(string key, SelectorOperator op, IEnumerable<string> values, string path = "")
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var keyPath = Join(path, "key");
        var valuesPath = Join(path, "values");

        var keyErrors = NameValidation.QualifiedNameMessages(key);
        if (keyErrors.Count > 0)
            throw new SelectorParseException(FieldError.Invalid(keyPath, key, string.Join("; ", keyErrors)).Message);

        switch (op)
        {
            case SelectorOperator.In or SelectorOperator.NotIn when sorted.Length == 0:
                throw new SelectorParseException(
                    new FieldError(valuesPath, FieldErrorType.Invalid, "for 'in', 'notin' operators, values set can't be empty").Message);
            case SelectorOperator.Equals or SelectorOperator.NotEquals when sorted.Length != 1:
                throw new SelectorParseException(
                    new FieldError(valuesPath, FieldErrorType.Invalid, "exact-match compatibility requires one single value").Message);
            case SelectorOperator.Exists or SelectorOperator.DoesNotExist when sorted.Length != 0:
                throw new SelectorParseException(
                    new FieldError(valuesPath, FieldErrorType.Invalid, "values set must be empty for exists and does not exist").Message);
            case SelectorOperator.GreaterThan or SelectorOperator.LessThan:
                if (sorted.Length != 1)
                    throw new SelectorParseException(
                        new FieldError(valuesPath, FieldErrorType.Invalid, "for 'Gt', 'Lt' operators, exactly one value is required").Message);
                if (!long.TryParse(sorted[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                    throw new SelectorParseException(
                        FieldError.Invalid($"{valuesPath}[0]", sorted[0], "for 'Gt', 'Lt' operators, the value must be an integer").Message);
                break;
            case < SelectorOperator.Equals or > SelectorOperator.LessThan:
                throw new SelectorParseException($"operator '{op}' is not recognized");
        }

        for (var i = 0; i < sorted.Length; i++)
        {
            var valueErrors = NameValidation.LabelValueMessages(sorted[i]);
            if (valueErrors.Count > 0)
                throw new SelectorParseException(
                    FieldError.Invalid($"{valuesPath}[{i.ToString(CultureInfo.InvariantCulture)}]", sorted[i], string.Join("; ", valueErrors)).Message);
        }
        return new Requirement(key, op, sorted);
    }

    /// <summary>Whether a set of labels satisfies this requirement (Kubernetes' Requirement.Matches).</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var has = labels.TryGetValue(Key, out var value);
        switch (Operator)
        {
            case SelectorOperator.Equals or SelectorOperator.In:
                return has && Values.Contains(value!, StringComparer.Ordinal);
            case SelectorOperator.NotEquals or SelectorOperator.NotIn:
                return !has || !Values.Contains(value!, StringComparer.Ordinal);
            case SelectorOperator.Exists:
                return has;
            case SelectorOperator.DoesNotExist:
                return !has;
            case SelectorOperator.GreaterThan or SelectorOperator.LessThan:
                if (!has
                    || !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var actual)
                    || Values.Count != 1
                    || !long.TryParse(Values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bound))
                    return false;
                return Operator == SelectorOperator.GreaterThan ? actual > bound : actual < bound;
            default:
                return false;
        }
    }

    /// <summary>The canonical string form: <c>a=b</c>, <c>a!=b</c>, <c>a in (x,y)</c>, <c>a notin (x)</c>, <c>a</c>, <c>!a</c>, <c>a&gt;1</c>, <c>a&lt;1</c>.</summary>
    public override string ToString() => Operator switch
    {
        SelectorOperator.Equals => $"{Key}={Values[0]}",
        SelectorOperator.NotEquals => $"{Key}!={Values[0]}",
        SelectorOperator.In => $"{Key} in ({string.Join(",", Values)})",
        SelectorOperator.NotIn => $"{Key} notin ({string.Join(",", Values)})",
        SelectorOperator.Exists => Key,
        SelectorOperator.DoesNotExist => "!" + Key,
        SelectorOperator.GreaterThan => $"{Key}>{Values[0]}",
        SelectorOperator.LessThan => $"{Key}<{Values[0]}",
        _ => Key,
    };

    // Records compare lists by reference; a requirement is a value, so compare the values themselves.
    public bool Equals(Requirement? other) =>
        other is not null
        && string.Equals(Key, other.Key, StringComparison.Ordinal)
        && Operator == other.Operator
        && Values.SequenceEqual(other.Values, StringComparer.Ordinal);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Key, StringComparer.Ordinal);
        hash.Add(Operator);
        foreach (var value in Values)
            hash.Add(value, StringComparer.Ordinal);
        return hash.ToHashCode();
    }

    private static string Join(string path, string child) => path.Length == 0 ? child : $"{path}.{child}";
}

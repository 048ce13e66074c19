namespace Orchestrator.Domain.RateLimiting;

/// <summary>The per-client limits of <see cref="ClientFairness{TWaiter}"/> (<c>orchestrator.api.fairness</c>).</summary>
/// <param name="MaxInFlight">Most requests of one client served at once (long-running ones count only while they start).</param>
/// <param name="MaxQueued">Most requests of one client waiting for a slot; beyond, answered 429 at once.</param>
/// <param name="MaxWait">Longest a request waits for its slot before it is answered 429.</param>
/// <param name="RefusalsPerSecond">Refused requests (400, 422, ...) a client may make a second, sustained.</param>
/// <param name="RefusalBurst">Refused requests a client may make at once before <paramref name="RefusalsPerSecond"/> applies.</param>
public sealed record FairnessLimits(int MaxInFlight, int MaxQueued, TimeSpan MaxWait, double RefusalsPerSecond, int RefusalBurst)
{
    /// <summary>Whether an answer with this status code spends the client's refusal budget: what bad input earns.</summary>
    /// <remarks>
    /// Not 404, 409, 410 or 412 (normal answers to well-behaved clients: kubectl apply reads first,
    /// controllers meet conflicts, watches expire) and not 429 itself.
    /// </remarks>
    public static bool IsRefusal(int statusCode) => statusCode is 400 or 401 or 403 or 405 or 406 or 408 or 411 or 413 or 414 or 415 or 422 or 431;
}

/// <summary>What <see cref="ClientFairness{TWaiter}.Arrive"/> decided.</summary>
public enum Admission
{
    /// <summary>Served now: the request holds one of its client's slots until it finishes.</summary>
    Admitted,

    /// <summary>Waiting in its client's queue; admitted later by <see cref="ClientFairness{TWaiter}.Finish"/> or <see cref="ClientFairness{TWaiter}.Dispatch"/>.</summary>
    Queued,

    /// <summary>Refused at once (429): the client's queue is full.</summary>
    Refused,
}

/// <summary>
/// Per-client fairness of the API, in the manner of Kubernetes' API Priority and Fairness but
/// simpler: every client (a bearer token's identity, else a source address) has its own slots,
/// its own queue and its own budget of refused requests, so one client's flood waits in its own
/// queue while every other client is served as before.
/// <list type="bullet">
/// <item>A request is admitted when its client has a free slot (<see cref="FairnessLimits.MaxInFlight"/>)
/// and its refusal budget (a <see cref="TokenBucket"/>) holds a token for it and for every request of
/// the client still in flight, as each of those may yet be refused: a client that has spent its
/// budget is served one request at a time, at <see cref="FairnessLimits.RefusalsPerSecond"/>.</item>
/// <item>Otherwise it waits in its client's queue, in order, up to <see cref="FairnessLimits.MaxWait"/>
/// (the caller withdraws it then and answers 429); a full queue is refused at once.</item>
/// <item>A finished request frees its slot and, if it was refused, takes a token.</item>
/// </list>
/// Pure (times are passed in) and not thread-safe: the caller serializes the calls. A client with
/// nothing in flight or queued and a full budget is forgotten, so the table stays as small as the
/// set of clients active in the last few seconds.
/// </summary>
/// <typeparam name="TWaiter">The caller's handle of a queued request, handed back when it is admitted.</typeparam>
public sealed class ClientFairness<TWaiter>(FairnessLimits limits)
    where TWaiter : class
{
    private sealed class Client(TokenBucket budget)
    {
        public int InFlight;
        public TokenBucket Budget = budget;
        public readonly LinkedList<TWaiter> Queue = new();
    }

    private readonly Dictionary<string, Client> _clients = new(StringComparer.Ordinal);
    private int _arrivalsSinceSweep;

    /// <summary>How many clients are tracked (ones with requests or a budget not yet refilled).</summary>
    public int TrackedClients => _clients.Count;

    /// <summary>Admits, queues or refuses a new request of <paramref name="client"/>.</summary>
    public Admission Arrive(string client, TWaiter waiter, DateTimeOffset now)
    {
        if (++_arrivalsSinceSweep >= 1024) Sweep(now);
        var state = StateOf(client, now);
        if (state.Queue.Count == 0 && CanAdmit(state, now))
        {
            state.InFlight++;
            return Admission.Admitted;
        }
        if (state.Queue.Count >= limits.MaxQueued) return Admission.Refused;
        state.Queue.AddLast(waiter);
        return Admission.Queued;
    }

    /// <summary>
    /// An admitted request of <paramref name="client"/> finished (or, for a long-running one, started):
    /// its slot is free, and its refusal, if it was one, takes a token. Answers the waiters admitted now.
    /// </summary>
    public IReadOnlyList<TWaiter> Finish(string client, bool refused, DateTimeOffset now)
    {
        if (!_clients.TryGetValue(client, out var state)) return [];
        state.InFlight = Math.Max(0, state.InFlight - 1);
        if (refused) state.Budget = state.Budget.TryTake(now).Next;
        var admitted = Admit(state, now);
        ForgetIfIdle(client, state, now);
        return admitted;
    }

    /// <summary>A refusal of a long-running request, whose slot was freed when it started (see <see cref="Finish"/>).</summary>
    public void ChargeRefusal(string client, DateTimeOffset now)
    {
        var state = StateOf(client, now); // it may have been forgotten while the request ran
        state.Budget = state.Budget.TryTake(now).Next;
    }

    /// <summary>Admits the waiters of <paramref name="client"/> that its budget allows by now (a waiter woke up).</summary>
    public IReadOnlyList<TWaiter> Dispatch(string client, DateTimeOffset now) =>
        _clients.TryGetValue(client, out var state) ? Admit(state, now) : [];

    /// <summary>Takes a waiter that gave up out of its queue: false when it was admitted meanwhile (it then holds a slot).</summary>
    public bool Withdraw(string client, TWaiter waiter, DateTimeOffset now)
    {
        if (!_clients.TryGetValue(client, out var state) || !state.Queue.Remove(waiter)) return false;
        ForgetIfIdle(client, state, now);
        return true;
    }

    /// <summary>
    /// When the budget of <paramref name="client"/> next allows one more request in flight (a queued
    /// waiter wakes then to <see cref="Dispatch"/>): now when it already does, null when only a freed
    /// slot can admit one (or the rate is 0).
    /// </summary>
    public DateTimeOffset? BudgetAllowsAt(string client, DateTimeOffset now) =>
        _clients.TryGetValue(client, out var state) ? state.Budget.TokensAt(state.InFlight + 1, now) : now;

    /// <summary>How long <paramref name="client"/> should wait before it tries again (the Retry-After of a 429): at least a second.</summary>
    public TimeSpan RetryAfter(string client, DateTimeOffset now)
    {
        var at = BudgetAllowsAt(client, now) ?? now + limits.MaxWait;
        var wait = at - now;
        return wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait;
    }

    private Client StateOf(string client, DateTimeOffset now)
    {
        if (!_clients.TryGetValue(client, out var state))
        {
            state = new Client(TokenBucket.Start(limits.RefusalsPerSecond, limits.RefusalBurst, now));
            _clients[client] = state;
        }
        return state;
    }

    private bool CanAdmit(Client state, DateTimeOffset now) =>
        state.InFlight < limits.MaxInFlight && state.Budget.Refilled(now).Tokens >= state.InFlight + 1;

    private List<TWaiter> Admit(Client state, DateTimeOffset now)
    {
        List<TWaiter>? admitted = null;
        while (state.Queue.First is { } head && CanAdmit(state, now))
        {
            state.Queue.RemoveFirst();
            state.InFlight++;
            (admitted ??= []).Add(head.Value);
        }
        return admitted ?? [];
    }

    private void ForgetIfIdle(string client, Client state, DateTimeOffset now)
    {
        if (state.InFlight == 0 && state.Queue.Count == 0 && state.Budget.Refilled(now).Tokens >= limits.RefusalBurst)
            _clients.Remove(client);
    }

    private void Sweep(DateTimeOffset now)
    {
        _arrivalsSinceSweep = 0;
        foreach (var (client, state) in _clients.ToList()) ForgetIfIdle(client, state, now);
    }
}

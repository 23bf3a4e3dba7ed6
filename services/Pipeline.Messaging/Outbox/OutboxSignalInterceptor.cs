using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Pipeline.Messaging.Outbox;

/// <summary>Notifies the <see cref="OutboxSignal"/> once events written by a context are committed.</summary>
internal sealed class OutboxSignalInterceptor(OutboxSignal signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    public ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        MarkNewEvents(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        MarkNewEvents(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        SignalIfCommitted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        SignalIfCommitted(eventData.Context);
        return result;
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        SignalCommitted(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => SignalCommitted(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    private static void MarkNewEvents(DbContext? context)
    {
        if (context is ServiceDbContext service
            && service.ChangeTracker.Entries<OutboxMessage>().Any(entry => entry.State == EntityState.Added))
        {
            service.HasUncommittedEvents = true;
        }
    }

    private void SignalIfCommitted(DbContext? context)
    {
        // Inside an explicit transaction the rows are not visible to the dispatcher until the commit.
        if (context?.Database.CurrentTransaction is null)
        {
            SignalCommitted(context);
        }
    }

    private void SignalCommitted(DbContext? context)
    {
        if (context is ServiceDbContext { HasUncommittedEvents: true } service)
        {
            service.HasUncommittedEvents = false;
            signal.Notify();
        }
    }

    private static void Forget(DbContext? context)
    {
        if (context is ServiceDbContext service)
        {
            service.HasUncommittedEvents = false;
        }
    }
}

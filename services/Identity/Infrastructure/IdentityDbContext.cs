using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Identity.Domain;
using Pipeline.Messaging;
using Pipeline.Messaging.Tenancy;

namespace Pipeline.Identity.Infrastructure;

public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options, TenantScope tenant) : ServiceDbContext(options, tenant)
{
    public DbSet<Organization> Organizations => Set<Organization>();

    public DbSet<Team> Teams => Set<Team>();

    public DbSet<User> Users => Set<User>();

    public DbSet<ApiClient> ApiClients => Set<ApiClient>();

    public DbSet<LoginAttempts> LoginAttempts => Set<LoginAttempts>();

    public DbSet<IssuerKey> IssuerKeys => Set<IssuerKey>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        // OpenIddict's applications, authorizations, scopes and tokens.
        modelBuilder.UseOpenIddict();

        modelBuilder.Entity<Organization>(organization =>
        {
            organization.Property(o => o.Name).HasMaxLength(200);
            organization.Property(o => o.Currency).HasMaxLength(3).IsFixedLength();
            organization.Property(o => o.TimeZone).HasMaxLength(64);
            organization.Property(o => o.Version).IsConcurrencyToken();
        });
        modelBuilder.Entity<Team>(team =>
        {
            team.Property(t => t.Name).HasMaxLength(200);
            team.HasIndex(t => new { t.OrganizationId, t.Name }).IsUnique();
        });
        modelBuilder.Entity<User>(user =>
        {
            user.Property(u => u.Email).HasMaxLength(320);
            user.HasIndex(u => u.Email).IsUnique();
            user.Property(u => u.Name).HasMaxLength(200);
            user.Property(u => u.Role).HasMaxLength(20);
        });
        modelBuilder.Entity<ApiClient>(client =>
        {
            client.HasIndex(c => c.ClientId).IsUnique();
            client.Property(c => c.Name).HasMaxLength(200);
        });
        modelBuilder.Entity<LoginAttempts>(attempts =>
        {
            attempts.HasKey(a => a.Login);
            attempts.Property(a => a.Login).HasMaxLength(320);
        });
        modelBuilder.Entity<IssuerKey>().Property(k => k.Use).HasMaxLength(20);
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service.</summary>
internal sealed class IdentityDesignTimeFactory : IDesignTimeDbContextFactory<IdentityDbContext>
{
    public IdentityDbContext CreateDbContext(string[] args) => new(ServiceHost.DesignTimeOptions<IdentityDbContext>(), new TenantScope());
}

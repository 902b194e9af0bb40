using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DailyPapers.Community;

/// <summary>A member: signs in with an email address, votes, comments and submits papers.</summary>
public sealed class AppUser : IdentityUser
{
    /// <summary>The name shown beside comments and submissions (never the email address).</summary>
    public string DisplayName { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}

public static class Roles
{
    public const string Admin = "admin";
    public const string Moderator = "moderator";
    /// <summary>Either role may moderate comments.</summary>
    public const string Moderators = Admin + "," + Moderator;
}

/// <summary>Gives Identity's tables the project's snake_case names.</summary>
internal sealed class AccountTables :
    IEntityTypeConfiguration<AppUser>,
    IEntityTypeConfiguration<IdentityRole>,
    IEntityTypeConfiguration<IdentityUserRole<string>>,
    IEntityTypeConfiguration<IdentityUserClaim<string>>,
    IEntityTypeConfiguration<IdentityUserLogin<string>>,
    IEntityTypeConfiguration<IdentityUserToken<string>>,
    IEntityTypeConfiguration<IdentityRoleClaim<string>>
{
    public void Configure(EntityTypeBuilder<AppUser> b)
    {
        b.ToTable("users");
        b.Property(u => u.DisplayName).HasMaxLength(64);
    }

    public void Configure(EntityTypeBuilder<IdentityRole> b) => b.ToTable("roles");
    public void Configure(EntityTypeBuilder<IdentityUserRole<string>> b) => b.ToTable("user_roles");
    public void Configure(EntityTypeBuilder<IdentityUserClaim<string>> b) => b.ToTable("user_claims");
    public void Configure(EntityTypeBuilder<IdentityUserLogin<string>> b) => b.ToTable("user_logins");
    public void Configure(EntityTypeBuilder<IdentityUserToken<string>> b) => b.ToTable("user_tokens");
    public void Configure(EntityTypeBuilder<IdentityRoleClaim<string>> b) => b.ToTable("role_claims");
}

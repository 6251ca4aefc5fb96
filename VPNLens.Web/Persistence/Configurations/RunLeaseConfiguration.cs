using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Persistence.Configurations;

internal sealed class RunLeaseConfiguration : IEntityTypeConfiguration<RunLease>
{
    public void Configure(EntityTypeBuilder<RunLease> builder)
    {
        builder.HasKey(l => l.Resource);
        builder.Property(l => l.Resource).HasMaxLength(160);
        builder.HasIndex(l => l.RunId);
        builder.HasIndex(l => l.ExpiresAt);
    }
}

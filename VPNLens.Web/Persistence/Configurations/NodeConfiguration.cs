using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VPNLens.Core.Nodes;

namespace VPNLens.Web.Persistence.Configurations;

internal sealed class NodeConfiguration : IEntityTypeConfiguration<Node>
{
    public void Configure(EntityTypeBuilder<Node> builder)
    {
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Name).HasMaxLength(100);
        builder.HasQueryFilter(n => n.DeletedAt == null);
        // a deleted node's name is free again; the filter reads the same on SQLite and PostgreSQL
        builder.HasIndex(n => n.Name).IsUnique().HasFilter("\"DeletedAt\" IS NULL");
        builder.Property(n => n.Host).HasMaxLength(255);
        builder.Property(n => n.User).HasMaxLength(64);
        builder.Property(n => n.HostKeyFingerprint).HasMaxLength(60);
        builder.Property(n => n.PrivateKeyPath).HasMaxLength(1024);
        builder.Property(n => n.Endpoint).HasMaxLength(100).HasDefaultValue(VPNLens.Core.Runs.RunResources.ControlPlaneEndpoint);
    }
}

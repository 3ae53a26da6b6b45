"""Distribution (发放): stock issued to people at a shelter or village point."""

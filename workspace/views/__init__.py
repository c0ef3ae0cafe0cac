"""The workspace pages, each a view of the admin site (see ``workspace.site``)."""

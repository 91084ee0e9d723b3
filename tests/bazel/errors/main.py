print("never packed")
